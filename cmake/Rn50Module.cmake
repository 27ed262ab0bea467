# rn50_module(NAME DEPS <targets...> PRIVATE_DEPS <targets...> EXCLUDE <files...>)
# One static library per top-level folder, built from every .cpp in that folder.
#
# Headers are included as "<folder>/<file>.h". A module does not see the repository root: it
# sees build/include/<module>/, a folder of links to its own folder and to the folders of the
# rn50 modules it depends on (transitively). An include that runs up the layers, say
# "store/database.h" from parsers/, therefore fails to compile instead of silently working.
option(RN50_WERROR "Turn compiler warnings into errors (CI builds with ON)" OFF)

# The warnings every target of the project compiles with: libraries, binaries, tests, benches.
add_library(rn50_warnings INTERFACE)
# Omitted fields are intended: every aggregate here gives its members defaults, and tests build
# them with designated initializers naming only what matters.
target_compile_options(rn50_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter
                       -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12's -Wrestrict fires inside libstdc++ on `"literal" + std::string` at -O2 (GCC bug
  # 105651, fixed in 13): a false positive in code we do not own.
  target_compile_options(rn50_warnings INTERFACE -Wno-restrict)
endif()
if(RN50_WERROR)
  target_compile_options(rn50_warnings INTERFACE -Werror)
endif()

# Creates build/include/<view>/ holding links to each folder in `folders` (relative to the
# repository root) and returns its path in out_var.
function(rn50_include_view view out_var)
  set(_dir ${CMAKE_BINARY_DIR}/include/${view})
  file(MAKE_DIRECTORY ${_dir})
  foreach(_folder IN LISTS ARGN)
    if(NOT EXISTS ${_dir}/${_folder})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${_folder} ${_dir}/${_folder} SYMBOLIC)
    endif()
  endforeach()
  set(${out_var} ${_dir} PARENT_SCOPE)
endfunction()

# The module folders a module may include: its own and those of its rn50 dependencies.
function(_rn50_visible_folders name out_var)
  set(_folders ${name})
  foreach(_dep IN LISTS ARGN)
    if(_dep MATCHES "^rn50_(.+)$")
      get_property(_theirs GLOBAL PROPERTY RN50_VISIBLE_${CMAKE_MATCH_1})
      list(APPEND _folders ${_theirs})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _folders)
  set_property(GLOBAL PROPERTY RN50_VISIBLE_${name} ${_folders})
  set(${out_var} ${_folders} PARENT_SCOPE)
endfunction()

function(rn50_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;EXCLUDE" ${ARGN})
  _rn50_visible_folders(${name} _folders ${ARG_DEPS} ${ARG_PRIVATE_DEPS})
  rn50_include_view(${name} _view ${_folders})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  foreach(_ex IN LISTS ARG_EXCLUDE)
    list(FILTER _srcs EXCLUDE REGEX "/${_ex}$")
  endforeach()
  if(NOT _srcs)
    # A module with no sources yet is header-only.
    add_library(rn50_${name} INTERFACE)
    target_include_directories(rn50_${name} INTERFACE ${_view})
    target_link_libraries(rn50_${name} INTERFACE ${ARG_DEPS} ${ARG_PRIVATE_DEPS})
    return()
  endif()
  add_library(rn50_${name} STATIC ${_srcs})
  target_include_directories(rn50_${name} PUBLIC ${_view})
  target_link_libraries(rn50_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS} rn50_warnings)
endfunction()

# The corpus of real logs the tests read (../shared/corpus beside the clone by default).
set(RN50_CORPUS_DIR "${PROJECT_SOURCE_DIR}/../shared/corpus" CACHE PATH
    "Folder of real logs and EXPECTED.md that corpus tests read")

# rn50_test(NAME DIR <tests subfolder> DEPS <targets...>)
# One GoogleTest executable per tests/ subfolder; every .cpp in it is part of it. A test sees
# tests/ and the modules it links, nothing else.
function(rn50_test name)
  cmake_parse_arguments(ARG "" "DIR;TIMEOUT" "DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_DIR}/*.cpp)
  if(NOT _srcs)
    return()
  endif()
  add_executable(${name} ${_srcs})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
                        rn50_warnings)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
    RN50_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RN50_FIXTURES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/fixtures"
    RN50_CORPUS_DIR="${RN50_CORPUS_DIR}"
    RN50_BINARY="$<TARGET_FILE:rn50-exp>")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "TZ=UTC;LC_ALL=C")
endfunction()
