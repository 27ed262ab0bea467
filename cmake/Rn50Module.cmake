# rn50_module(NAME DEPS <targets...>)
# One static library per top-level folder, built from every .cpp in that folder.
# Headers are included as "<folder>/<file>.h" from the repository root.
function(rn50_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;EXCLUDE" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  foreach(_ex IN LISTS ARG_EXCLUDE)
    list(FILTER _srcs EXCLUDE REGEX "/${_ex}$")
  endforeach()
  if(NOT _srcs)
    # A module with no sources yet is header-only.
    add_library(rn50_${name} INTERFACE)
    target_include_directories(rn50_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(rn50_${name} INTERFACE ${ARG_DEPS} ${ARG_PRIVATE_DEPS})
    return()
  endif()
  add_library(rn50_${name} STATIC ${_srcs})
  target_include_directories(rn50_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(rn50_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(rn50_${name} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# rn50_test(NAME DIR <tests subfolder> DEPS <targets...>)
# One GoogleTest executable per tests/ subfolder; every .cpp in it is part of it.
function(rn50_test name)
  cmake_parse_arguments(ARG "" "DIR;TIMEOUT" "DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_DIR}/*.cpp)
  if(NOT _srcs)
    return()
  endif()
  add_executable(${name} ${_srcs})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
    RN50_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RN50_FIXTURES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/fixtures"
    RN50_CORPUS_DIR="${PROJECT_SOURCE_DIR}/../shared/corpus"
    RN50_BINARY="$<TARGET_FILE:rn50-exp>")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "TZ=UTC;LC_ALL=C")
endfunction()
