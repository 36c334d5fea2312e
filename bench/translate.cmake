# Translator service (services/translate) benchmarks: the Translate handler
# called directly, and a loopback round trip for comparison. Reads
# ecdict-mini.tsv from the shared data folder next to the checkout when it is
# there; otherwise uses the built-in dictionary.
framerpc_add_bench(translate_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/translate_bench.cc
  LIBS framerpc_translator_service framerpc::rpc)
target_compile_definitions(translate_bench PRIVATE
  FRAMERPC_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
