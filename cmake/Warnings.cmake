# loadrep_warnings(target): our warning set, PRIVATE to our own targets only.
function(loadrep_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wwrite-strings -Wvla -Wpointer-arith -Wundef)
  if(LOADREP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
