# targets.cmake - the whole-parser libFuzzer targets (issue 9), include()d
# from tests/fuzz/CMakeLists.txt (LOADREP_FUZZ=ON, clang only).
#
# These targets drive whole code paths (ingest_files() → detection → parser →
# aggregation → SQLite → show), so they link almost every core source. The
# sources are compiled once more, into loadrep_fuzzcore, with coverage
# instrumentation (-fsanitize=fuzzer-no-link) and ASan+UBSan. The embedded
# resources (schema.sql, templates) come from loadrep_core, linked after it:
# the linker takes only embedded_files/res_* objects from there, everything
# else is already defined by loadrep_fuzzcore.
#
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DLOADREP_FUZZ=ON
#   cmake --build build-fuzz --target fuzz_ndjson
#   build-fuzz/tests/fuzz/fuzz_ndjson -max_total_time=300 -dict=... NEW_CORPUS tests/fuzz/corpus/fuzz_ndjson
# or simply scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...].

file(GLOB_RECURSE LOADREP_FUZZCORE_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*.c)
list(REMOVE_ITEM LOADREP_FUZZCORE_SOURCES ${PROJECT_SOURCE_DIR}/src/main.c)

set(LOADREP_FUZZ_FLAGS -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
  -fno-sanitize-recover=all)

add_library(loadrep_fuzzcore STATIC ${LOADREP_FUZZCORE_SOURCES})
# UBSan reports in the core are recoverable so that scripts/fuzz.sh can
# suppress bugs already reported (UBSAN_OPTIONS=suppressions=...) while it
# looks for new ones; halt_on_error=1 (set by fuzz.sh) still stops on any
# other report. The harnesses themselves keep -fno-sanitize-recover.
target_compile_options(loadrep_fuzzcore PRIVATE ${LOADREP_FUZZ_FLAGS} -fsanitize-recover=undefined
  -fsanitize=fuzzer-no-link)
# loadrep_core's include directories, definitions and libraries (jansson,
# sqlite3, zlib, cmark-gfm, libharu, libm), and its embedded resources.
target_link_libraries(loadrep_fuzzcore PUBLIC loadrep_core)

set(LOADREP_FUZZ_TARGETS fuzz_ndjson fuzz_summary fuzz_csv fuzz_sysmetrics fuzz_template fuzz_options)
foreach(name ${LOADREP_FUZZ_TARGETS})
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
    target_compile_options(${name} PRIVATE ${LOADREP_FUZZ_FLAGS} -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE loadrep_fuzzcore)
    loadrep_warnings(${name})
  endif()
endforeach()

# `cmake --build build-fuzz --target fuzz_all` builds every target of both files.
if(NOT TARGET fuzz_all)
  add_custom_target(fuzz_all)
endif()
foreach(name ${LOADREP_FUZZ_TARGETS} fuzz_k6_fast)
  if(TARGET ${name})
    add_dependencies(fuzz_all ${name})
  endif()
endforeach()
