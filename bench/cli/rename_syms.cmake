cmake_policy(SET CMP0057 NEW)
# rename_syms.cmake — writes an objcopy --redefine-syms map that prefixes every
# global symbol defined in the archive IN with "bkucx_" (run with cmake -P).
# Why: coro and coro_ucontext export the same names; corobench links both.
# Symbols starting with "__" (compiler/sanitizer internals) keep their names.
execute_process(COMMAND ${NM} -g --defined-only ${IN}
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${IN}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(map "")
set(seen "")
foreach(line IN LISTS lines)
  if(line MATCHES "^[0-9a-fA-F]+ [TDBRVWCGS] ([A-Za-z_][A-Za-z0-9_.]*)$")
    set(sym ${CMAKE_MATCH_1})
    if(NOT sym MATCHES "^__" AND NOT sym IN_LIST seen)
      list(APPEND seen ${sym})
      string(APPEND map "${sym} bkucx_${sym}\n")
    endif()
  endif()
endforeach()
file(WRITE ${MAP} "${map}")
