// The tools, resources and prompts that the official MCP conformance suite
// (github.com/modelcontextprotocol/conformance, server scenarios) calls,
// written from its scenario descriptions. `wasmgate serve
// --conformance-fixture` registers them.
//
// Contract: register_conformance_fixture() adds, to an otherwise empty
// Server: tools test_simple_text, test_image_content, test_audio_content,
// test_embedded_resource, test_multiple_content_types,
// test_tool_with_logging, test_tool_with_progress, test_error_handling,
// test_sampling, test_elicitation, test_elicitation_sep1034_defaults,
// test_elicitation_sep1330_enums, json_schema_2020_12_tool; resources
// test://static-text, test://static-binary, test://watched-resource and
// the template test://template/{id}/data; prompts test_simple_prompt,
// test_prompt_with_arguments, test_prompt_with_embedded_resource,
// test_prompt_with_image. Fails (Invalid) if a name is already taken.
// The ~50 ms pauses the descriptions ask for between log/progress
// notifications are timers on the session strand, never sleeps.
#pragma once

#include "base/error.h"
#include "mcp/server/server.h"

namespace wg::mcp {

Status register_conformance_fixture(Server& server);

}  // namespace wg::mcp
