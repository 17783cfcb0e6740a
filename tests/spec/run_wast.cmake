# Runs one spec script through `wasmgate wast` and decides pass/fail.
# Usage: cmake -DWASMGATE=<binary> -DSCRIPT=<file.wast> -P run_wast.cmake
# Passes only if the command exits with 0 AND the last non-empty line of its
# standard output is exactly "N passed, 0 failed" with N > 0 (a run that
# executes no assertion, or reports any failure, does not pass).
if(NOT WASMGATE OR NOT SCRIPT)
  message(FATAL_ERROR "run_wast.cmake: WASMGATE and SCRIPT must be set")
endif()
execute_process(
  COMMAND "${WASMGATE}" wast "${SCRIPT}"
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
string(REGEX REPLACE "[\r\n]+$" "" trimmed "${out}")
string(REGEX MATCH "[^\r\n]*$" last_line "${trimmed}")
if(NOT exit_code STREQUAL "0")
  message(FATAL_ERROR "wasmgate wast exited with '${exit_code}'\n--- stdout\n${out}\n--- stderr\n${err}")
endif()
if(NOT last_line MATCHES "^[1-9][0-9]* passed, 0 failed$")
  message(FATAL_ERROR "unexpected summary line: '${last_line}'\n--- stdout\n${out}\n--- stderr\n${err}")
endif()
message(STATUS "${SCRIPT}: ${last_line}")
