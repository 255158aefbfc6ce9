/* gnu_property.h — the ELF property note that marks an object compatible
 * with a control-flow protection (Intel CET's IBT, Arm's BTI), for the
 * switches' assembly files. The compiler writes the same note into every C
 * object built with -fcf-protection or -mbranch-protection; the linker ANDs
 * the notes of all inputs, and the loader turns a protection on only for a
 * program whose every part claims it.
 *
 * GNU_PROPERTY_NOTE pr_type, bits: an ELF note named "GNU", of type
 * NT_GNU_PROPERTY_TYPE_0, holding one property: pr_type (an architecture's
 * FEATURE_1_AND) with a 4-byte bit set, padded to 8 bytes as LP64 requires.
 */
#ifndef CORO_ARCH_GNU_PROPERTY_H
#define CORO_ARCH_GNU_PROPERTY_H
#ifdef __ASSEMBLER__ /* an assembler macro: nothing for C */

/* clang-format off */
.macro GNU_PROPERTY_NOTE pr_type, bits
	.pushsection .note.gnu.property, "a"
	.p2align 3
	.long	4		/* n_namesz: "GNU\0" */
	.long	16		/* n_descsz: one property, padded */
	.long	5		/* n_type: NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.long	\pr_type	/* pr_type */
	.long	4		/* pr_datasz */
	.long	\bits		/* pr_data: the feature bits claimed */
	.p2align 3		/* pr_padding */
	.popsection
.endm
/* clang-format on */

#endif
#endif
