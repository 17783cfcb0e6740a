// The Ruby host. The call sequence follows what Ruby's own reactor expects
// (ruby.wasm's witapi: ruby-init runs ruby_init, ruby_sysinit and
// ruby_options, which also sets up the load path; rb-eval-string-protect
// evaluates a string under rb_protect). Ruby's C side treats the
// canonical-ABI strings it receives as C strings, so every string we pass
// carries a terminating NUL inside its length, as Ruby's JavaScript host does.
#include "wasi/ruby.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <utility>

#include "wasi/reactor.h"

namespace wg::wasi {
namespace {

using wasm::ValType;
using wasm::Value;

constexpr std::string_view kJsHostModule = "rb-js-abi-host";
constexpr std::string_view kCanonicalAbi = "canonical_abi";
constexpr std::string_view kRubyInit = "ruby-init: func(args: list<string>) -> ()";
constexpr std::string_view kEvalProtect = "rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>";
// Ruby values the guest lends the host at once: the host keeps at most the
// result of the one evaluation in flight, so a small table is plenty.
constexpr std::uint32_t kMaxRubyHandles = 1024;

// Arguments for ruby_options: no script of its own ("-e_=0" is the
// placeholder Ruby's JavaScript host uses too), UTF-8 external encoding.
std::vector<std::string> ruby_init_args(RubyGems gems) {
  std::vector<std::string> args = {"ruby"};
  if (gems == RubyGems::Disabled) args.emplace_back("--disable-gems");
  args.emplace_back("-EUTF-8");
  args.emplace_back("-e_=0");
  return args;
}

wasm::Trap host_trap(std::string message) { return wasm::Trap{wasm::TrapKind::Host, std::move(message), 0}; }

// A Ruby double-quoted literal holding exactly `bytes`: printable ASCII as
// itself, everything else (and the characters that are special inside
// such a literal) as \xNN, so any byte string survives.
std::string ruby_literal(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '#') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  out.push_back('"');
  return out;
}

// The short name of a component-style import ("eval-js: func(...)" -> "eval-js").
std::string_view short_name(std::string_view name) { return name.substr(0, name.find(':')); }

// Defines every function the module imports from Ruby's JavaScript bridge
// as a stub that traps, and the canonical ABI's rb-abi-value resource
// functions over `handles`.
void define_ruby_imports(GuestRun& run, const wasm::CompiledModule& module, HandleTable& handles) {
  for (const wasm::Import& imp : module.module().imports) {
    if (imp.kind != wasm::ExternKind::Func) continue;
    const wasm::FuncType& type = module.module().types.at(static_cast<std::uint32_t>(imp.func_type));
    const bool js_value_drop = imp.module == kCanonicalAbi && imp.name == "resource_drop_js-abi-value";
    if (imp.module != kJsHostModule && !js_value_drop) continue;
    std::string message = "ruby: the JavaScript bridge is not available in wasmgate (called " + imp.module + "." +
                          std::string(short_name(imp.name)) + "; `require \"js\"` and JS interop cannot work here)";
    run.define(imp.module, imp.name, type,
               [message](wasm::HostCall&, std::span<const Value>, std::span<Value>) -> wasm::HostResult {
                 return host_trap(message);
               });
  }
  const wasm::FuncType i32_to_i32{{ValType::I32}, {ValType::I32}};
  const wasm::FuncType i32_to_none{{ValType::I32}, {}};
  const std::string module_name(kCanonicalAbi);
  run.define(module_name, "resource_new_rb-abi-value", i32_to_i32,
             [&handles](wasm::HostCall&, std::span<const Value> args, std::span<Value> results) -> wasm::HostResult {
               auto h = handles.insert(static_cast<std::uint32_t>(args[0].bits));
               if (!h) {
                 return host_trap("ruby: more than " + std::to_string(kMaxRubyHandles) +
                                  " Ruby values lent to the host (canonical_abi.resource_new_rb-abi-value)");
               }
               results[0] = Value::i32(static_cast<std::int32_t>(*h));
               return std::nullopt;
             });
  run.define(module_name, "resource_get_rb-abi-value", i32_to_i32,
             [&handles](wasm::HostCall&, std::span<const Value> args, std::span<Value> results) -> wasm::HostResult {
               auto rep = handles.get(static_cast<std::uint32_t>(args[0].bits));
               if (!rep) return host_trap("ruby: canonical_abi.resource_get_rb-abi-value of an unknown handle");
               results[0] = Value::i32(static_cast<std::int32_t>(*rep));
               return std::nullopt;
             });
  // Older and newer builds also import these two; harmless when unused.
  run.define(module_name, "resource_drop_rb-abi-value", i32_to_none,
             [&handles](wasm::HostCall&, std::span<const Value> args, std::span<Value>) -> wasm::HostResult {
               if (!handles.remove(static_cast<std::uint32_t>(args[0].bits))) {
                 return host_trap("ruby: canonical_abi.resource_drop_rb-abi-value of an unknown handle");
               }
               return std::nullopt;
             });
  run.define(module_name, "resource_clone_rb-abi-value", i32_to_i32,
             [&handles](wasm::HostCall&, std::span<const Value> args, std::span<Value> results) -> wasm::HostResult {
               auto rep = handles.get(static_cast<std::uint32_t>(args[0].bits));
               if (!rep) return host_trap("ruby: canonical_abi.resource_clone_rb-abi-value of an unknown handle");
               auto h = handles.insert(*rep);
               if (!h) return host_trap("ruby: too many Ruby values lent to the host");
               results[0] = Value::i32(static_cast<std::int32_t>(*h));
               return std::nullopt;
             });
}

Status check_no_nul(std::string_view what, std::string_view s) {
  if (s.find('\0') != std::string_view::npos) {
    return make_error(ErrorCode::Invalid, "ruby: " + std::string(what) + " contains a NUL byte");
  }
  return ok();
}

std::string with_nul(std::string_view s) {
  std::string out(s);
  out.push_back('\0');
  return out;
}

}  // namespace

std::string ruby_driver_source(const RubyRun& what) {
  std::string argv = "[";
  for (std::size_t i = 0; i < what.args.size(); ++i) argv += (i ? ", " : "") + ruby_literal(what.args[i]);
  argv += "]";
  // The driver runs at Ruby's top level. It compiles the script the way
  // Ruby compiles a main script (path as given, top-level self), keeps
  // at_exit blocks to run after it, reports an uncaught exception like
  // Ruby's own error printer (without the driver's frames, which are the
  // bottom `__wg_base` frames plus the ISeq#eval call), flushes every IO
  // (Ruby's finalisers would) and ends with exit!(status), which reaches
  // the host as proc_exit.
  return R"RUBY(__wg_script = )RUBY" + ruby_literal(what.script_path) + R"RUBY(
ARGV.replace()RUBY" + argv + R"RUBY()
$0 = __wg_script
__wg_status = 0
begin
  __wg_exit_procs = []
  __wg_at_exit = proc do |&block|
    raise ArgumentError, "called without a block" unless block
    __wg_exit_procs.push(block)
    block
  end
  Kernel.send(:define_method, :at_exit, &__wg_at_exit)
  Kernel.send(:private, :at_exit)
  Kernel.define_singleton_method(:at_exit, &__wg_at_exit)
  __wg_base = 0
  __wg_report = lambda do |e|
    bt = e.backtrace || []
    keep = bt.size > __wg_base ? bt.size - __wg_base : 0
    keep -= 1 if keep > 0 && bt[keep - 1].start_with?("eval:")
    if keep > 0
      e.set_backtrace(bt[0, keep])
      $stderr.write(e.full_message(highlight: false, order: :top))
    else
      # No frame of the script's (a syntax error, memory exhaustion):
      # Ruby's printer would show the driver's position instead.
      first, rest = e.message.to_s.split("\n", 2)
      $stderr.write("#{first} (#{e.class})\n#{rest}")
    end
  end
  __wg_guard = lambda do |&body|
    body.call
  rescue SystemExit => e
    __wg_status = e.status
  rescue Exception => e
    __wg_report.call(e)
    __wg_status = 1
  end
  __wg_iseq = begin
    RubyVM::InstructionSequence.compile_file(__wg_script)
  rescue SystemCallError => e
    $stderr.write("ruby: #{e.message.split(" @ ").first} -- #{__wg_script} (LoadError)\n")
    __wg_status = 1
    nil
  rescue SyntaxError => e
    __wg_base = (e.backtrace || []).size
    __wg_report.call(e)
    __wg_status = 1
    nil
  end
  if __wg_iseq
    __wg_guard.call do
      __wg_base = caller_locations(0).size
      __wg_iseq.eval
    end
  end
  until __wg_exit_procs.empty?
    __wg_guard.call do
      __wg_base = caller_locations(0).size
      __wg_exit_procs.pop.call
    end
  end
rescue Exception => e
  $stderr.write("ruby: wasmgate's driver failed: #{e.class}: #{e.message}\n")
  __wg_status = 1
end
ObjectSpace.each_object(IO) do |io|
  io.flush unless io.closed?
rescue Exception
end
exit!(__wg_status)
)RUBY";
}

Result<std::shared_ptr<const wasm::CompiledModule>> load_ruby_module(const std::string& wasm_path) {
  std::ifstream in(wasm_path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, "ruby: cannot read " + wasm_path);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::Io, "ruby: error reading " + wasm_path);
  wasm::CompileOptions options;
  options.nan_mode = wasm::NanMode::Canonical;
  auto module = WG_TRY_CTX(wasm::compile(bytes, options), "ruby: " + wasm_path);
  for (std::string_view name : {std::string_view("cabi_realloc"), kRubyInit, kEvalProtect}) {
    bool found = false;
    for (const wasm::Export& e : module->module().exports) found |= e.kind == wasm::ExternKind::Func && e.name == name;
    if (!found) {
      return make_error(ErrorCode::Invalid, "ruby: " + wasm_path + " exports no function \"" + std::string(name) +
                                                "\" (not a Ruby reactor build such as @ruby/3.3-wasm-wasi)");
    }
  }
  return module;
}

Result<RunResult> run_ruby(std::shared_ptr<const wasm::CompiledModule> ruby, vfs::Vfs& vfs, const RubyRun& what,
                           const RunOptions& options) {
  WG_TRY(check_no_nul("script path", what.script_path));
  for (const std::string& arg : what.args) WG_TRY(check_no_nul("argument", arg));
  if (what.script_path.empty()) return make_error(ErrorCode::Invalid, "ruby: empty script path");

  RunOptions opts = options;
  opts.wasi.args = {"ruby"};
  if (opts.wasi.preopens.empty()) opts.wasi.preopens.push_back({"/", "/"});

  HandleTable handles(kMaxRubyHandles);  // outlives the run's store
  auto run = WG_TRY(GuestRun::create(vfs, opts));
  define_ruby_imports(*run, *ruby, handles);
  auto reactor = WG_TRY(Reactor::start(*run, std::move(ruby)));
  if (!reactor) return run->finish();

  // ruby-init(args: list<string>)
  std::vector<std::string> init_args;
  for (const std::string& a : ruby_init_args(what.gems)) init_args.push_back(with_nul(a));
  auto args = reactor->lower_strings(init_args);
  if (!args) return run->finish();
  const Value init_params[] = {Value::i32(static_cast<std::int32_t>(args->ptr)),
                               Value::i32(static_cast<std::int32_t>(args->len))};
  auto inited = WG_TRY(reactor->call(kRubyInit, init_params));
  if (!inited) return run->finish();

  // rb-eval-string-protect(str: string) -> tuple<handle<rb-abi-value>, s32>:
  // the result is a pointer to (handle, state).
  auto source = reactor->lower_string(with_nul(ruby_driver_source(what)));
  if (!source) return run->finish();
  const Value eval_params[] = {Value::i32(static_cast<std::int32_t>(source->ptr)),
                               Value::i32(static_cast<std::int32_t>(source->len))};
  auto evaluated = WG_TRY(reactor->call(kEvalProtect, eval_params));
  if (!evaluated) return run->finish();  // the normal end: exit! -> proc_exit
  // The driver always ends with exit!; returning means it failed itself.
  const auto ret = static_cast<std::uint32_t>(evaluated->at(0).bits);
  auto state = reactor->load_u32(ret + 4, "rb-eval-string-protect result");
  if (state) run->end(host_trap("ruby: the wasmgate driver returned without exiting (Ruby tag state " +
                                std::to_string(*state) + ")"));
  return run->finish();
}

}  // namespace wg::wasi
