# env.cmake — the one machine/build capture (env.c, sysinfo.c, json.c) as the
# static library corobench_env, with its generated build_info.h. Included by
# bench/CMakeLists.txt (the corobench CLI links it) and by bench/regress/
# (rg_env, the same capture for a gate build without the CLI).
set(_cli ${CMAKE_CURRENT_LIST_DIR})
find_package(Git QUIET)
string(TOUPPER "${CMAKE_BUILD_TYPE}" _bt)
string(STRIP "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_bt}}" _cflags)
get_cmake_property(_cache_vars CACHE_VARIABLES)
list(SORT _cache_vars)
set(_coro_opts "")
foreach(v IN LISTS _cache_vars)
  if(v MATCHES "^CORO_")
    list(APPEND _coro_opts "${v}=${${v}}")
  endif()
endforeach()
string(REPLACE ";" "|" _coro_opts "${_coro_opts}")
set(_build_info_dir ${CMAKE_BINARY_DIR}/corobench_build_info)
set(_build_info ${_build_info_dir}/build_info.h)
# Runs on every build (the commit may have moved); rewrites the header only
# when its text changes.
add_custom_target(corobench_build_info
  COMMAND ${CMAKE_COMMAND} -DOUT=${_build_info} -DGIT=${GIT_EXECUTABLE}
          -DROOT=${CMAKE_CURRENT_LIST_DIR}/../.. -DCC=${CMAKE_C_COMPILER}
          -DBUILD_TYPE=${CMAKE_BUILD_TYPE} -DCFLAGS=${_cflags} -DOPTIONS=${_coro_opts}
          -DSANITIZE=${CORO_SANITIZE}
          -P ${_cli}/build_info.cmake
  BYPRODUCTS ${_build_info}
  COMMENT "corobench build info"
  VERBATIM)
add_library(corobench_env STATIC ${_cli}/env.c ${_cli}/sysinfo.c ${_cli}/json.c)
add_dependencies(corobench_env corobench_build_info)
target_compile_definitions(corobench_env PRIVATE _GNU_SOURCE)
target_include_directories(corobench_env PUBLIC ${_cli} PRIVATE ${_build_info_dir})
