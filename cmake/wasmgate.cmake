# Helpers that keep one library per module and one test binary per module.

# wg_module(NAME SOURCES a.cc b.cc DEPS other_module ...)
# Declares the static library wg_<NAME> rooted at src/. A module with no
# sources yet is an INTERFACE library so that its edges already exist.
# The DEPS lines are the module graph: see docs/architecture.md.
function(wg_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(wg_${name} STATIC ${ARG_SOURCES})
    target_include_directories(wg_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(wg_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  else()
    add_library(wg_${name} INTERFACE)
    target_include_directories(wg_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(wg_${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# wg_test(NAME LABEL unit SOURCES a_test.cc ... DEPS wg_x ...)
# One GoogleTest binary; every TEST becomes its own CTest test with LABEL.
function(wg_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABEL};${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()
