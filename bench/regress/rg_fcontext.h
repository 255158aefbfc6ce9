/* rg_fcontext.h — C declarations of Boost.Context's two assembly entry points.
 *
 * Why: jump_fcontext is the outside reference for the switch ratio, and its
 * header is C++ only; the functions themselves are extern "C" in
 * libboost_context (Boost 1.61+ ABI: a transfer_t is returned by value).
 */
#ifndef RG_FCONTEXT_H
#define RG_FCONTEXT_H

#include <stddef.h>

typedef void *rg_fcontext_t;
typedef struct {
    rg_fcontext_t fctx;
    void *data;
} rg_transfer_t;

rg_transfer_t jump_fcontext(rg_fcontext_t const to, void *vp);
rg_fcontext_t make_fcontext(void *sp, size_t size, void (*fn)(rg_transfer_t));

#endif
