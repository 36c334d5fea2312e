# framerpc_add_test(<name> SOURCES a.cc b.cc LIBS lib1 lib2 [LABELS l1 l2])
# Builds one GoogleTest binary and registers each of its cases with ctest,
# each with a 300 s timeout (and the given labels).
function(framerpc_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  framerpc_set_warnings(${name})
  set(properties TIMEOUT 300)
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
endfunction()
