#include "wasi/runner.h"

#include <cstdint>
#include <set>
#include <utility>

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
Status link_unknown_imports(const wasm::CompiledModule& module, wasm::Linker& linker, wasm::Store& store,
                            UnknownImports policy) {
  std::set<std::string_view> provided;
  for (const FunctionRow& row : function_table()) provided.insert(row.name);
  for (const wasm::Import& imp : module.module().imports) {
    if (imp.module == kModuleName && imp.kind == wasm::ExternKind::Func && provided.contains(imp.name)) continue;
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

// Restores the VFS's clock however the run ends.
struct ClockGuard {
  vfs::Vfs& vfs;
  vfs::Clock* after;
  ~ClockGuard() { vfs.set_clock(after); }
};

}  // namespace

Result<RunResult> run(std::shared_ptr<const wasm::CompiledModule> module, vfs::Vfs& vfs, const RunOptions& options) {
  const vfs::Snapshot before = vfs.snapshot();
  auto ctx = WG_TRY(WasiContext::create(vfs, options.wasi));
  ClockGuard guard{vfs, options.after_clock};
  vfs.set_clock(&ctx->clock());

  // An unlimited budget is still counted, so that fuel_used is always known.
  wasm::StoreLimits limits = options.limits;
  const std::uint64_t budget = std::min<std::uint64_t>(limits.fuel, static_cast<std::uint64_t>(INT64_MAX) - 1);
  limits.fuel = budget;
  wasm::Store store(limits);
  wasm::Linker linker;
  define_wasi(linker, store, *ctx);
  WG_TRY(link_unknown_imports(*module, linker, store, options.unknown_imports));

  RunResult result;
  auto finish = [&]() -> RunResult {
    const std::uint64_t remaining = store.fuel_remaining();
    result.fuel_used = budget >= remaining ? budget - remaining : 0;
    result.stdout_data = std::move(ctx->stdout_data());
    result.stderr_data = std::move(ctx->stderr_data());
    result.stdout_truncated = ctx->stdout_truncated();
    result.stderr_truncated = ctx->stderr_truncated();
    ctx.reset();  // closes the guest's handles, freeing unlinked files
    const vfs::Snapshot after = vfs.snapshot();
    result.changes = vfs::diff(before, after);
    result.digest = after.digest();
    return std::move(result);
  };

  auto inst = store.instantiate(module, linker);
  if (!inst) {
    if (inst.error().code() == ErrorCode::LimitExceeded) {
      // The module's own minimum memory is over the cap.
      set_outcome(result, wasm::Trap{wasm::TrapKind::MemoryLimit, inst.error().message(), 0});
      return finish();
    }
    return std::unexpected(std::move(inst).error().with_context("link"));
  }
  if (inst->trap) {
    set_outcome(result, *inst->trap);
    return finish();
  }
  wasm::FuncInst* start = inst->instance->exported_func("_start");
  if (start == nullptr) return make_error(ErrorCode::Invalid, "module exports no \"_start\" function (not a WASI command)");
  if (!start->type->params.empty() || !start->type->results.empty()) {
    return make_error(ErrorCode::Invalid, "\"_start\" must have type [] -> []");
  }
  auto called = store.invoke(*start, {});
  if (!called) set_outcome(result, called.error());
  return finish();
}

}  // namespace wg::wasi
