# loadrep_embed(OUT NAME FILE): generate OUT, a C file defining NAME[] and NAME_len from FILE.
function(loadrep_embed out name file)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNAME=${name}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake VERBATIM)
endfunction()
