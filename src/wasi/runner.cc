#include "wasi/runner.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

#include "base/check.h"
#include "wasi/functions.h"

namespace wg::wasi {

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Exited: return "exited";
    case RunStatus::Trapped: return "trapped";
    case RunStatus::OutOfFuel: return "out_of_fuel";
    case RunStatus::DeadlineExceeded: return "deadline_exceeded";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::MemoryLimit: return "memory_limit";
    case RunStatus::OutputLimit: return "output_limit";
  }
  return "unknown";
}

wasm::CompileOptions compile_options_for(const WasiConfig& config) {
  wasm::CompileOptions options;
  if (config.clock == ClockMode::Deterministic) options.nan_mode = wasm::NanMode::Canonical;
  return options;
}

Result<RunResult> run(std::span<const std::uint8_t> module_bytes, vfs::Vfs& vfs, const RunOptions& options) {
  auto module = WG_TRY_CTX(wasm::compile(module_bytes, compile_options_for(options.wasi)), "module");
  return run(std::move(module), vfs, options);
}

namespace {

// Fails on imports nobody provides, or defines trapping stubs for them.
// `defined` holds the (module, name) pairs the embedder defined itself.
Status link_unknown_imports(const wasm::CompiledModule& module, wasm::Linker& linker, wasm::Store& store,
                            UnknownImports policy, const std::set<std::pair<std::string, std::string>>& defined) {
  std::set<std::string_view> provided;
  for (const FunctionRow& row : function_table()) provided.insert(row.name);
  for (const wasm::Import& imp : module.module().imports) {
    if (imp.module == kModuleName && imp.kind == wasm::ExternKind::Func && provided.contains(imp.name)) continue;
    if (defined.contains({imp.module, imp.name})) continue;
    const std::string what = "unknown import \"" + imp.module + "\".\"" + imp.name + "\" (" +
                             std::string(wasm::to_string(imp.kind)) + ")";
    if (imp.kind != wasm::ExternKind::Func) {
      return make_error(ErrorCode::NotFound, what + ": only functions of " + std::string(kModuleName) +
                                                 " are provided");
    }
    if (policy == UnknownImports::Fail) {
      return make_error(ErrorCode::NotFound,
                        what + ": not a " + std::string(kModuleName) +
                            " function; --trap-unknown-imports turns it into a stub that traps when called");
    }
    const wasm::FuncType& type = module.module().types.at(static_cast<std::uint32_t>(imp.func_type));
    std::string message = "called unknown import " + imp.module + "." + imp.name;
    wasm::FuncInst* stub =
        store.create_host_func(type, [message](wasm::HostCall&, std::span<const wasm::Value>,
                                               std::span<wasm::Value>) -> wasm::HostResult {
          return wasm::Trap{wasm::TrapKind::Host, message, 0};
        });
    linker.define(imp.module, imp.name, wasm::Extern{wasm::ExternKind::Func, stub});
  }
  return ok();
}

void set_outcome(RunResult& result, const wasm::Trap& trap) {
  switch (trap.kind) {
    case wasm::TrapKind::Exit:
      result.status = RunStatus::Exited;
      result.exit_code = trap.exit_code;
      return;
    case wasm::TrapKind::OutOfFuel: result.status = RunStatus::OutOfFuel; break;
    case wasm::TrapKind::DeadlineExceeded: result.status = RunStatus::DeadlineExceeded; break;
    case wasm::TrapKind::Interrupted: result.status = RunStatus::Interrupted; break;
    case wasm::TrapKind::MemoryLimit: result.status = RunStatus::MemoryLimit; break;
    default: result.status = RunStatus::Trapped; break;
  }
  result.trap = trap;
}

// An unlimited budget is still counted, so that fuel_used is always known.
std::uint64_t fuel_budget(const wasm::StoreLimits& limits) {
  return std::min<std::uint64_t>(limits.fuel, static_cast<std::uint64_t>(INT64_MAX) - 1);
}

wasm::StoreLimits with_fuel(wasm::StoreLimits limits, std::uint64_t fuel) {
  limits.fuel = fuel;
  return limits;
}

}  // namespace

Result<std::unique_ptr<GuestRun>> GuestRun::create(vfs::Vfs& vfs, const RunOptions& options) {
  vfs::Snapshot before = vfs.snapshot();
  auto ctx = WG_TRY(WasiContext::create(vfs, options.wasi));
  return std::unique_ptr<GuestRun>(
      new GuestRun(vfs, options, std::move(before), std::move(ctx), fuel_budget(options.limits)));
}

GuestRun::GuestRun(vfs::Vfs& vfs, const RunOptions& options, vfs::Snapshot before,
                   std::unique_ptr<WasiContext> ctx, std::uint64_t budget)
    : vfs_(vfs),
      options_(options),
      before_(std::move(before)),
      ctx_(std::move(ctx)),
      budget_(budget),
      store_(with_fuel(options.limits, budget)) {
  vfs_.set_clock(&ctx_->clock());
  define_wasi(linker_, store_, *ctx_);
}

GuestRun::~GuestRun() { vfs_.set_clock(options_.after_clock); }

void GuestRun::define(std::string module, std::string name, wasm::FuncType type, wasm::HostFn fn) {
  wasm::FuncInst* f = store_.create_host_func(std::move(type), std::move(fn));
  defined_.emplace(module, name);
  linker_.define(std::move(module), std::move(name), wasm::Extern{wasm::ExternKind::Func, f});
}

Result<wasm::ModuleInstance*> GuestRun::instantiate(std::shared_ptr<const wasm::CompiledModule> module) {
  WG_CHECK(!ended_);
  WG_TRY(link_unknown_imports(*module, linker_, store_, options_.unknown_imports, defined_));
  auto inst = store_.instantiate(std::move(module), linker_);
  if (!inst) {
    if (inst.error().code() == ErrorCode::LimitExceeded) {
      // The module's own minimum memory is over the cap.
      end(wasm::Trap{wasm::TrapKind::MemoryLimit, inst.error().message(), 0});
      return nullptr;
    }
    return std::unexpected(std::move(inst).error().with_context("link"));
  }
  if (inst->trap) {
    end(*inst->trap);
    return nullptr;
  }
  return inst->instance;
}

std::optional<std::vector<wasm::Value>> GuestRun::call(wasm::FuncInst& func, std::span<const wasm::Value> args) {
  WG_CHECK(!ended_);
  auto called = store_.invoke(func, args);
  if (!called) {
    end(std::move(called).error());
    return std::nullopt;
  }
  return std::move(*called);
}

void GuestRun::end(wasm::Trap trap) {
  if (ended_) return;
  ended_ = true;
  set_outcome(result_, trap);
}

std::uint64_t GuestRun::fuel_used() const {
  const std::uint64_t remaining = store_.fuel_remaining();
  return budget_ >= remaining ? budget_ - remaining : 0;
}

RunResult GuestRun::finish() {
  WG_CHECK(ctx_ != nullptr);
  result_.fuel_used = fuel_used();
  result_.stdout_data = std::move(ctx_->stdout_data());
  result_.stderr_data = std::move(ctx_->stderr_data());
  result_.stdout_truncated = ctx_->stdout_truncated();
  result_.stderr_truncated = ctx_->stderr_truncated();
  if (result_.status == RunStatus::Trapped && options_.wasi.limits.end_on_output_limit &&
      (result_.stdout_truncated || result_.stderr_truncated) && result_.trap &&
      result_.trap->kind == wasm::TrapKind::Host && result_.trap->message.starts_with("output limit:")) {
    result_.status = RunStatus::OutputLimit;
  }
  ctx_.reset();  // closes the guest's handles, freeing unlinked files
  const vfs::Snapshot after = vfs_.snapshot();
  result_.changes = vfs::diff(before_, after);
  result_.digest = after.digest();
  return std::move(result_);
}

Result<RunResult> run(std::shared_ptr<const wasm::CompiledModule> module, vfs::Vfs& vfs, const RunOptions& options) {
  auto guest = WG_TRY(GuestRun::create(vfs, options));
  wasm::ModuleInstance* inst = WG_TRY(guest->instantiate(module));
  if (inst == nullptr) return guest->finish();
  wasm::FuncInst* start = inst->exported_func("_start");
  if (start == nullptr) return make_error(ErrorCode::Invalid, "module exports no \"_start\" function (not a WASI command)");
  if (!start->type->params.empty() || !start->type->results.empty()) {
    return make_error(ErrorCode::Invalid, "\"_start\" must have type [] -> []");
  }
  guest->call(*start, {});
  return guest->finish();
}

}  // namespace wg::wasi
