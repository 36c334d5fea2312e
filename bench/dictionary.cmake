# Dictionary (services/translate) benchmarks. LoadFile and the lookups on the
# big dictionary read ecdict-mini.tsv from the shared data folder next to the
# checkout; without it they fall back to the built-in dictionary.
framerpc_add_bench(dictionary_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/dictionary_bench.cc
  LIBS framerpc_dictionary)
target_compile_definitions(dictionary_bench PRIVATE
  FRAMERPC_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
