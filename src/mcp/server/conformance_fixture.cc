#include "mcp/server/conformance_fixture.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/protocol/str_cat.h"
#include "mcp/server/session.h"

namespace wg::mcp {
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

// 1x1 PNG and a two-sample 8 kHz mono WAV, generated for these tests.
constexpr std::string_view kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
constexpr std::string_view kWav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQIAAACAgA==";
constexpr auto kPause = std::chrono::milliseconds(50);

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

ToolSpec spec(std::string name, std::string description, std::string_view input_schema = R"({"type":"object"})") {
  ToolSpec s;
  s.name = std::move(name);
  s.description = std::move(description);
  s.input_schema = parse_object(input_schema);
  return s;
}

// Runs `fn` after `delay` on the call's session strand.
void after(const std::shared_ptr<ToolCall>& call, std::chrono::milliseconds delay, std::function<void()> fn) {
  auto session = call->session();
  if (!session) return;
  auto timer = std::make_shared<asio::steady_timer>(session->strand(), delay);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code&) { fn(); });
}

std::chrono::milliseconds request_timeout(const std::shared_ptr<ToolCall>& call) {
  auto session = call->session();
  return session ? session->server().options().request_timeout : std::chrono::milliseconds(60000);
}

Status add_content_tools(Server& server) {
  WG_TRY(server.add_tool(
      spec("test_simple_text", "Returns a simple text response"),
      [](ToolCall&) -> Result<ToolResult> { return ToolResult::text("This is a simple text response for testing."); }));
  WG_TRY(server.add_tool(spec("test_image_content", "Returns a 1x1 PNG image"), [](ToolCall&) -> Result<ToolResult> {
    ToolResult r;
    r.content.push_back(image_content(kPng, "image/png"));
    return r;
  }));
  WG_TRY(server.add_tool(spec("test_audio_content", "Returns a tiny WAV clip"), [](ToolCall&) -> Result<ToolResult> {
    ToolResult r;
    r.content.push_back(audio_content(kWav, "audio/wav"));
    return r;
  }));
  WG_TRY(server.add_tool(
      spec("test_embedded_resource", "Returns an embedded text resource"), [](ToolCall&) -> Result<ToolResult> {
        ToolResult r;
        r.content.push_back(
            embedded_text_resource("test://embedded-resource", "This is an embedded resource content.", "text/plain"));
        return r;
      }));
  WG_TRY(server.add_tool(spec("test_multiple_content_types", "Returns text, image and resource content"),
                         [](ToolCall&) -> Result<ToolResult> {
                           ToolResult r;
                           r.content.push_back(text_content("Multiple content types test:"));
                           r.content.push_back(image_content(kPng, "image/png"));
                           r.content.push_back(embedded_text_resource(
                               "test://mixed-content-resource", R"({"test":"data","value":123})", "application/json"));
                           return r;
                         }));
  WG_TRY(server.add_tool(spec("test_error_handling", "Always fails"), [](ToolCall&) -> Result<ToolResult> {
    return make_error(ErrorCode::Internal, "This tool intentionally returns an error for testing");
  }));
  return ok();
}

Status add_notifying_tools(Server& server) {
  WG_TRY(server.add_async_tool(spec("test_tool_with_logging", "Sends three log messages while running"),
                               [](std::shared_ptr<ToolCall> call) {
                                 call->log(LogLevel::Info, "Tool execution started", "conformance");
                                 after(call, kPause, [call] {
                                   call->log(LogLevel::Info, "Tool processing data", "conformance");
                                   after(call, kPause, [call] {
                                     call->log(LogLevel::Info, "Tool execution completed", "conformance");
                                     call->finish(ToolResult::text("Tool with logging executed successfully"));
                                   });
                                 });
                               }));
  WG_TRY(server.add_async_tool(spec("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100"),
                               [](std::shared_ptr<ToolCall> call) {
                                 call->progress(0, 100);
                                 after(call, kPause, [call] {
                                   call->progress(50, 100);
                                   after(call, kPause, [call] {
                                     call->progress(100, 100);
                                     call->finish(ToolResult::text("Tool with progress executed successfully"));
                                   });
                                 });
                               }));
  return ok();
}

void finish_with_elicitation(const std::shared_ptr<ToolCall>& call, std::string_view prefix,
                             Result<json::object> answer, bool completed_format) {
  if (!answer) {
    call->finish(ToolResult::error(answer.error().message()));
    return;
  }
  const json::value* action = answer->if_contains("action");
  const json::value* content = answer->if_contains("content");
  const std::string action_text = action && action->is_string() ? std::string(action->get_string()) : "unknown";
  const std::string content_text = content ? json::serialize(*content) : "{}";
  if (completed_format) {
    call->finish(ToolResult::text(str_cat(prefix, "action=", action_text, ", content=", content_text)));
  } else {
    call->finish(ToolResult::text(str_cat(prefix, json::serialize(*answer))));
  }
}

Status add_client_request_tools(Server& server) {
  WG_TRY(server.add_async_tool(
      spec("test_sampling", "Asks the client's model to answer a prompt",
           R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},
               "required":["prompt"]})"),
      [](std::shared_ptr<ToolCall> call) {
        json::object params{
            {"messages", json::array{json::object{
                             {"role", "user"}, {"content", text_content(call->arguments().at("prompt").as_string())}}}},
            {"maxTokens", 100}};
        call->request("sampling/createMessage", std::move(params), request_timeout(call),
                      [call](Result<json::object> answer) {
                        if (!answer) return call->finish(ToolResult::error(answer.error().message()));
                        std::string text;
                        if (const json::value* c = answer->if_contains("content")) {
                          if (c->is_object() && c->as_object().contains("text") && c->at("text").is_string()) {
                            text = std::string(c->at("text").as_string());
                          } else {
                            text = json::serialize(*c);
                          }
                        }
                        call->finish(ToolResult::text(str_cat("LLM response: ", text)));
                      });
      }));
  WG_TRY(server.add_async_tool(
      spec("test_elicitation", "Asks the user for a username and email",
           R"({"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},
               "required":["message"]})"),
      [](std::shared_ptr<ToolCall> call) {
        call->elicit(std::string(call->arguments().at("message").as_string()),
                     parse_object(R"({"type":"object","properties":{
                         "username":{"type":"string","description":"User's response"},
                         "email":{"type":"string","description":"User's email address"}},
                       "required":["username","email"]})"),
                     request_timeout(call), [call](Result<json::object> answer) {
                       finish_with_elicitation(call, "User response: ", std::move(answer), false);
                     });
      }));
  WG_TRY(server.add_async_tool(
      spec("test_elicitation_sep1034_defaults", "Elicitation whose fields have default values"),
      [](std::shared_ptr<ToolCall> call) {
        call->elicit("Please review and update the form fields with defaults",
                     parse_object(R"({"type":"object","properties":{
                         "name":{"type":"string","description":"User name","default":"John Doe"},
                         "age":{"type":"integer","description":"User age","default":30},
                         "score":{"type":"number","description":"User score","default":95.5},
                         "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
                         "verified":{"type":"boolean","description":"Verification status","default":true}}})"),
                     request_timeout(call), [call](Result<json::object> answer) {
                       finish_with_elicitation(call, "Elicitation completed: ", std::move(answer), true);
                     });
      }));
  WG_TRY(server.add_async_tool(
      spec("test_elicitation_sep1330_enums", "Elicitation with every enum form"), [](std::shared_ptr<ToolCall> call) {
        call->elicit("Please select options from the enum fields", parse_object(R"({"type":"object","properties":{
                         "untitledSingle":{"type":"string","enum":["option1","option2","option3"]},
                         "titledSingle":{"type":"string","oneOf":[
                             {"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},
                             {"const":"value3","title":"Third Option"}]},
                         "legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],
                             "enumNames":["Option One","Option Two","Option Three"]},
                         "untitledMulti":{"type":"array","items":{"type":"string","enum":["option1","option2","option3"]}},
                         "titledMulti":{"type":"array","items":{"anyOf":[
                             {"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},
                             {"const":"value3","title":"Third Choice"}]}}}})"),
                     request_timeout(call), [call](Result<json::object> answer) {
                       finish_with_elicitation(call, "Elicitation completed: ", std::move(answer), true);
                     });
      }));
  return ok();
}

Status add_schema_tool(Server& server) {
  // JSON Schema 2020-12 keywords must survive tools/list unchanged (SEP-1613, SEP-2106).
  return server.add_tool(spec("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
                              R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
               "$defs":{"address":{"$anchor":"addressDef","type":"object",
                   "properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
               "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
                   "contactMethod":{"type":"string","enum":["phone","email"]},
                   "phone":{"type":"string"},"email":{"type":"string"}},
               "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
               "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
               "then":{"required":["phone"]},"else":{"required":["email"]},
               "additionalProperties":false})"),
                         [](ToolCall& call) -> Result<ToolResult> {
                           return ToolResult::text(str_cat("Received: ", json::serialize(call.arguments())));
                         });
}

Status add_resources(Server& server) {
  WG_TRY(server.add_resource(ResourceSpec{.uri = "test://static-text",
                                          .name = "static-text",
                                          .title = "Static text",
                                          .description = "A static text resource",
                                          .mime_type = "text/plain"},
                             [](std::string_view uri) -> Result<json::array> {
                               return json::array{text_resource_contents(
                                   uri, "This is the content of the static text resource.", "text/plain")};
                             }));
  WG_TRY(server.add_resource(ResourceSpec{.uri = "test://static-binary",
                                          .name = "static-binary",
                                          .title = "Static binary",
                                          .description = "A static PNG image",
                                          .mime_type = "image/png"},
                             [](std::string_view uri) -> Result<json::array> {
                               return json::array{blob_resource_contents(uri, kPng, "image/png")};
                             }));
  WG_TRY(server.add_resource(ResourceSpec{.uri = "test://watched-resource",
                                          .name = "watched-resource",
                                          .title = "Watched resource",
                                          .description = "A resource clients may subscribe to",
                                          .mime_type = "text/plain"},
                             [](std::string_view uri) -> Result<json::array> {
                               return json::array{
                                   text_resource_contents(uri, "Watched resource content.", "text/plain")};
                             }));
  WG_TRY(server.add_resource_template(
      ResourceTemplateSpec{.uri_template = "test://template/{id}/data",
                           .name = "template-data",
                           .title = "Template data",
                           .description = "Data for an id",
                           .mime_type = "application/json"},
      [](std::string_view uri, const std::map<std::string, std::string>& vars) -> Result<json::array> {
        const std::string& id = vars.at("id");
        json::object data{{"id", id}, {"templateTest", true}, {"data", str_cat("Data for ID: ", id)}};
        return json::array{text_resource_contents(uri, json::serialize(data), "application/json")};
      }));
  return ok();
}

json::object user_message(json::object content) {
  return json::object{{"role", "user"}, {"content", std::move(content)}};
}

Status add_prompts(Server& server) {
  WG_TRY(server.add_prompt(PromptSpec{.name = "test_simple_prompt",
                                      .title = "Simple prompt",
                                      .description = "A prompt without arguments",
                                      .arguments = {}},
                           [](const std::map<std::string, std::string>&) -> Result<json::object> {
                             return json::object{
                                 {"messages",
                                  json::array{user_message(text_content("This is a simple prompt for testing."))}}};
                           }));
  WG_TRY(server.add_prompt(
      PromptSpec{
          .name = "test_prompt_with_arguments",
          .title = "Prompt with arguments",
          .description = "A prompt with two required arguments",
          .arguments = {PromptArgument{.name = "arg1", .description = "First test argument", .required = true},
                        PromptArgument{.name = "arg2", .description = "Second test argument", .required = true}}},
      [](const std::map<std::string, std::string>& a) -> Result<json::object> {
        return json::object{
            {"messages", json::array{user_message(text_content(str_cat("Prompt with arguments: arg1='", a.at("arg1"),
                                                                       "', arg2='", a.at("arg2"), "'")))}}};
      }));
  WG_TRY(server.add_prompt(
      PromptSpec{.name = "test_prompt_with_embedded_resource",
                 .title = "Prompt with embedded resource",
                 .description = "A prompt that embeds a resource",
                 .arguments = {PromptArgument{
                     .name = "resourceUri", .description = "URI of the resource to embed", .required = true}}},
      [](const std::map<std::string, std::string>& a) -> Result<json::object> {
        return json::object{
            {"messages", json::array{user_message(embedded_text_resource(
                                         a.at("resourceUri"), "Embedded resource content for testing.", "text/plain")),
                                     user_message(text_content("Please process the embedded resource above."))}}};
      }));
  WG_TRY(server.add_prompt(
      PromptSpec{.name = "test_prompt_with_image",
                 .title = "Prompt with image",
                 .description = "A prompt with an image",
                 .arguments = {}},
      [](const std::map<std::string, std::string>&) -> Result<json::object> {
        return json::object{{"messages", json::array{user_message(image_content(kPng, "image/png")),
                                                     user_message(text_content("Please analyze the image above."))}}};
      }));
  return ok();
}

}  // namespace

Status register_conformance_fixture(Server& server) {
  WG_TRY(add_content_tools(server));
  WG_TRY(add_notifying_tools(server));
  WG_TRY(add_client_request_tools(server));
  WG_TRY(add_schema_tool(server));
  WG_TRY(add_resources(server));
  WG_TRY(add_prompts(server));
  return ok();
}

}  // namespace wg::mcp
