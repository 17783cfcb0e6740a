#include "app/policy_runtime.h"

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <optional>

namespace wg::app {

namespace json = boost::json;

Result<std::unique_ptr<PolicyRuntime>> open_policy_runtime(const std::string& policy_file,
                                                           const std::string& state_dir) {
  return open_policy_runtime(WG_TRY(policy::PolicyHolder::open(policy_file)), state_dir);
}

Result<std::unique_ptr<PolicyRuntime>> open_policy_runtime(std::unique_ptr<policy::PolicyHolder> holder,
                                                           const std::string& state_dir) {
  auto rt = std::make_unique<PolicyRuntime>();
  rt->holder = std::move(holder);
  const std::filesystem::path dir(state_dir);
  rt->store = WG_TRY(store::PolicyStateStore::open((dir / store::kPolicyStateFile).string()));
  rt->audit = WG_TRY(policy::AuditLog::open((dir / "audit.jsonl").string()));
  rt->gate = std::make_unique<policy::Gate>(*rt->holder, *rt->store, rt->clock, rt->audit.get());
  return rt;
}

bool poll_reload(PolicyRuntime& rt, std::FILE* err) {
  const policy::ReloadReport report = rt.holder->reload_if_changed();
  std::lock_guard lock(rt.report_mutex);
  switch (report.outcome) {
    case policy::ReloadOutcome::Unchanged: return false;
    case policy::ReloadOutcome::Reloaded:
      rt.reported_error.clear();
      std::fprintf(err, "wasmgate: policy: reloaded %s (revision %.12s)\n", rt.holder->path().c_str(),
                   report.revision.c_str());
      return true;
    case policy::ReloadOutcome::Rejected: {
      const std::string why = report.error ? report.error->message() : std::string("unknown error");
      if (why != rt.reported_error) {
        rt.reported_error = why;
        std::fprintf(err, "wasmgate: policy: keeping revision %.12s; the edited file was refused: %s\n",
                     report.revision.c_str(), why.c_str());
      }
      return false;
    }
  }
  return false;
}

mcp::ToolResult refusal_result(const json::object& refusal, bool has_output_schema) {
  mcp::ToolResult r = tool_result_from_json(refusal);
  if (has_output_schema && r.structured_content) {
    r.content.push_back(json::object{{"type", "text"}, {"text", json::serialize(*r.structured_content)}});
    r.structured_content.reset();
  }
  return r;
}

mcp::ToolResult tool_result_from_json(const json::object& o) {
  mcp::ToolResult r;
  if (const auto* c = o.if_contains("content"); c && c->is_array()) r.content = c->as_array();
  if (const auto* s = o.if_contains("structuredContent"); s && s->is_object()) r.structured_content = s->as_object();
  if (const auto* e = o.if_contains("isError"); e && e->is_bool()) r.is_error = e->as_bool();
  return r;
}

void admit(PolicyRuntime& rt, const policy::GateRequest& request, const std::shared_ptr<mcp::ToolCall>& call,
           std::function<void(policy::Admission)> decided) {
  policy::Admission first = rt.gate->before(request);
  auto session = call->session();
  if (first.kind != policy::Admission::Kind::NeedsApproval || !session ||
      !session->client_capabilities().contains("elicitation")) {
    return decided(std::move(first));
  }
  const policy::Refusal& why = *first.refusal;
  std::string message = "wasmgate policy rule \"" + why.rule + "\" asks you to approve a call of " +
                        std::string(policy::to_string(request.call.kind)) + " \"" + request.call.name + "\"";
  if (!why.reason.empty()) message += ": " + why.reason;
  std::string args = json::serialize(call->arguments());
  if (args.size() > 2048) args = args.substr(0, 2048) + "...";
  message += "\nArguments: " + args;
  json::object schema{
      {"type", "object"},
      {"properties", json::object{{"approve", json::object{{"type", "boolean"},
                                                           {"title", "Approve this call"},
                                                           {"description", "Allow it once, with these arguments"}}}}},
      {"required", json::array{"approve"}}};
  auto pending = std::make_shared<policy::Admission>(std::move(first));
  call->elicit(std::move(message), std::move(schema), std::chrono::minutes(5),
               [&rt, request, pending, decided = std::move(decided)](Result<json::object> answer) {
                 std::optional<bool> approved;
                 if (answer) {
                   const json::value* action = answer->if_contains("action");
                   const std::string_view a =
                       action && action->is_string() ? std::string_view(action->get_string()) : std::string_view();
                   if (a == "decline") approved = false;
                   if (a == "accept") {
                     const json::value* content = answer->if_contains("content");
                     const json::value* v =
                         content && content->is_object() ? content->get_object().if_contains("approve") : nullptr;
                     approved = v && v->is_bool() && v->get_bool();
                   }
                 }
                 // cancel, a timeout or an error: the approval stays pending.
                 if (!approved) return decided(std::move(*pending));
                 if (auto st = rt.gate->answer_approval(pending->approval_id, *approved, "elicitation"); !st) {
                   return decided(std::move(*pending));
                 }
                 decided(rt.gate->before(request));
               });
}

// Runs `tool` behind the Gate: before() decides (a refusal is the call's
// isError result, the tool never runs); the finish observer reports the
// outcome to after() (commit or release, audit record).
void gated_call(PolicyRuntime& rt, const std::shared_ptr<const mcp::Server::Tool>& tool,
                const std::shared_ptr<mcp::ToolCall>& call, std::FILE* err) {
  poll_reload(rt, err);
  policy::Gate& gate = *rt.gate;
  policy::GateRequest request;
  request.call.kind = policy::CallKind::Tool;
  request.call.name = tool->spec.name;
  request.call.args = call->arguments();
  if (auto session = call->session()) {
    request.call.session = session->id();
    request.call.identity = session->identity();
  }
  request.request_id = call->request_id().to_string();
  admit(rt, request, call, [&gate, request, tool, call, err](policy::Admission decided) {
    auto admission = std::make_shared<policy::Admission>(std::move(decided));
    if (!admission->proceed()) {
      call->finish(refusal_result(admission->tool_result(), tool->spec.output_schema.has_value()));
      return;
    }
    call->on_finish([&gate, request, admission, err](const Result<mcp::ToolResult>& result) {
      // A handler Error becomes an isError result: the tool ran (ToolError).
      const auto outcome =
          (result && !result->is_error) ? policy::UpstreamOutcome::Succeeded : policy::UpstreamOutcome::ToolError;
      if (auto st = gate.after(request, *admission, outcome); !st) {
        std::fprintf(err, "wasmgate: policy: recording the outcome of %s failed: %s\n", request.call.name.c_str(),
                     st.error().message().c_str());
      }
    });
    if (tool->handler) {
      call->finish(tool->handler(*call));
    } else {
      tool->async_handler(call);
    }
  });
}

Status register_gated(mcp::Server& staging, mcp::Server& server, PolicyRuntime& rt, std::FILE* err) {
  auto policy = rt.holder->current();
  for (const auto& tool : staging.tools()) {
    if (policy && policy->hides_tool(tool->spec.name)) continue;
    WG_TRY(server.add_async_tool(
        tool->spec, [rt = &rt, tool, err](std::shared_ptr<mcp::ToolCall> call) { gated_call(*rt, tool, call, err); }));
  }
  for (const auto& r : staging.resources()) WG_TRY(server.add_resource(r->spec, r->reader));
  for (const auto& t : staging.resource_templates()) WG_TRY(server.add_resource_template(t->spec, t->reader));
  for (const auto& p : staging.prompts()) WG_TRY(server.add_prompt(p->spec, p->handler));
  return ok();
}

}  // namespace wg::app
