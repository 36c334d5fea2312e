# framerpc_set_warnings(<target>): the warning flags every framerpc target is
# built with. Generated protobuf code is compiled with the same flags.
function(framerpc_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local
                         -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(FRAMERPC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
