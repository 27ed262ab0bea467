# Writes app/version.h from app/version.h.in with the commit the sources are at. Run as a script
# (cmake -P) on every build, so a commit followed by `cmake --build` is what the binary reports;
# the file is rewritten only when its text changes, so an unchanged commit recompiles nothing.
# Inputs: -DSOURCE_DIR=<repository> -DINPUT=<version.h.in> -DOUTPUT=<version.h> -DPROJECT_VERSION=<x.y.z>
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE RN50_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT RN50_GIT_COMMIT)
  set(RN50_GIT_COMMIT "unknown")
endif()
if(_dirty)
  set(RN50_GIT_DIRTY true)
else()
  set(RN50_GIT_DIRTY false)
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
