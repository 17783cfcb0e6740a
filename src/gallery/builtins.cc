#include "gallery/builtins.h"

#include <vector>

namespace wg::gallery {
namespace {

// Shared wording appended to every built-in's instructions: what the sandbox
// is, so each template does not repeat it.
constexpr std::string_view kSandboxNote =
    "\n\nYou work inside a sandbox: a private in-memory filesystem rooted at /, no network and no host "
    "files. Use only the tools you are given. Keep a short todo list with write_todos for multi-step "
    "work and mark items completed as you go. When you are done, reply with a concise summary of what "
    "you did and where the results are.";

struct Spec {
  std::string_view id;
  std::string_view name;
  std::string_view category;
  std::string_view description;
  std::vector<std::string_view> tags;
  std::string_view model;
  std::uint32_t max_turns;
  std::vector<std::string_view> tools;
  std::vector<std::string_view> runtimes;
  TemplateLimits limits;
  std::string_view instructions;
};

// Only a few limits differ from the agent host's defaults; 0 = unset.
TemplateLimits limits(std::uint64_t fuel, std::uint64_t timeout_ms, std::uint64_t max_todos) {
  TemplateLimits l;
  if (fuel != 0) l.fuel = fuel;
  if (timeout_ms != 0) l.timeout_ms = timeout_ms;
  if (max_todos != 0) l.max_todos = max_todos;
  return l;
}

constexpr std::string_view kSonnet = "anthropic:claude-sonnet-4-6";
constexpr std::string_view kOpus = "anthropic:claude-opus-4-1";
constexpr std::string_view kHaiku = "anthropic:claude-haiku-4-5";

std::vector<Spec> specs() {
  const std::vector<std::string_view> all_files = {"read_file",   "write_file", "edit_file", "list_files",
                                                   "delete_file", "glob",       "grep",      "write_todos"};
  const std::vector<std::string_view> read_only = {"read_file", "list_files", "glob", "grep", "write_todos"};
  auto with = [](std::vector<std::string_view> base, std::initializer_list<std::string_view> more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  return {
      {"coder",
       "Coder",
       "development",
       "Writes, edits and refactors source code in the sandbox, then builds and runs the code to check that it works.",
       {"code", "programming", "implementation", "refactoring", "debugging"},
       kSonnet,
       60,
       with(all_files, {"run"}),
       {"coreutils"},
       limits(2'000'000'000, 30'000, 0),
       "You are a careful software engineer. Read the relevant files before changing anything, make the "
       "smallest change that solves the task, keep the existing style, and prefer edit_file over rewriting "
       "whole files. After a change, run what can be run to confirm it behaves as intended; if something "
       "fails, read the error, fix the cause and try again. Never claim something works without having "
       "checked it."},
      {"researcher",
       "Researcher",
       "research",
       "Investigates a question from the files it is given, gathers evidence and writes a sourced summary.",
       {"research", "analysis", "investigation", "summary", "notes"},
       kSonnet,
       40,
       with(read_only, {"write_file"}),
       {},
       TemplateLimits{},
       "You are a methodical researcher. Start by listing and skimming the material you have, then search "
       "it for what bears on the question. Separate what the sources say from your own inference, quote "
       "file paths and line numbers for every claim, and say plainly when the material does not answer "
       "the question. Write findings to /notes/findings.md as you go."},
      {"tester",
       "Tester",
       "quality",
       "Writes and runs tests, reproduces bugs with minimal cases and reports failures precisely.",
       {"testing", "tests", "qa", "unit tests", "regression"},
       kSonnet,
       60,
       with(all_files, {"run"}),
       {"coreutils"},
       limits(2'000'000'000, 30'000, 0),
       "You are a test engineer. For each behaviour under test, write a test that would fail if the "
       "behaviour broke, run it, and report the exact command, input, expected and actual output. When "
       "you find a bug, reduce it to the smallest reproducing case. Do not change the code under test "
       "unless asked; your job is to find out what is true."},
      {"reviewer",
       "Reviewer",
       "quality",
       "Reviews code changes for correctness, clarity and maintainability, without modifying them.",
       {"review", "code review", "quality", "feedback", "readability"},
       kSonnet,
       30,
       read_only,
       {},
       TemplateLimits{},
       "You are a senior code reviewer. Read the change and the code around it, then report problems in "
       "order of severity: correctness first, then error handling and edge cases, then clarity, naming "
       "and tests. For each point give the file and line, what is wrong, why it matters and a concrete "
       "suggestion. Say what is good too, briefly. You do not edit files."},
      {"security",
       "Security Auditor",
       "security",
       "Audits code and configuration for vulnerabilities: injection, unsafe input handling, secrets, "
       "weak crypto, and reports findings by severity.",
       {"security", "audit", "vulnerabilities", "secrets", "threat model", "owasp"},
       kOpus,
       40,
       read_only,
       {},
       TemplateLimits{},
       "You are a security auditor. Identify the trust boundaries first: where untrusted input enters and "
       "what it can reach. Then look for injection, path traversal, missing bounds checks, unsafe "
       "deserialization, hard-coded secrets, weak or misused cryptography and overly broad permissions. "
       "Report each finding with severity (critical, high, medium, low), location, an exploit sketch and "
       "a fix. Do not report style issues. You do not modify files."},
      {"orchestrator",
       "Swarm Orchestrator",
       "coordination",
       "Breaks a large goal into tasks, plans their order and dependencies, and tracks progress across a "
       "team of agents.",
       {"orchestration", "swarm", "planning", "coordination", "multi-agent"},
       kOpus,
       100,
       all_files,
       {},
       limits(0, 0, 500),
       "You coordinate work. Turn the goal into a plan of small, checkable tasks with clear owners and "
       "dependencies, keep it in the todo list and in /plan.md, and update both as work completes. Write a "
       "brief for each task that another agent could follow without further context: goal, inputs, "
       "expected output, how to verify. Flag risks and blocked tasks early."},
      {"planner",
       "Planner",
       "coordination",
       "Turns a request into a step-by-step implementation plan with milestones, risks and acceptance "
       "checks.",
       {"planning", "roadmap", "milestones", "estimation", "design"},
       kSonnet,
       30,
       read_only,
       {},
       TemplateLimits{},
       "You write plans, not code. Read enough of the material to understand the current state, then "
       "produce an ordered plan: each step small enough to finish in one sitting, with its acceptance "
       "check, its dependencies and the main risk. End with open questions that need a decision."},
      {"data-analyst",
       "Data Analyst",
       "analysis",
       "Explores CSV and JSON data files, computes statistics and writes a report of the findings.",
       {"data", "analysis", "csv", "json", "statistics", "report"},
       kSonnet,
       50,
       with(all_files, {"run"}),
       {"coreutils", "ruby"},
       limits(5'000'000'000, 60'000, 0),
       "You analyse data. Inspect the files first (size, columns, types, missing values), state your "
       "assumptions, then compute what the question needs with small scripts you run in the sandbox. "
       "Check results for plausibility, keep the scripts in /analysis so the work can be repeated, and "
       "write the report to /analysis/report.md with the numbers and how they were obtained."},
      {"docs-writer",
       "Documentation Writer",
       "documentation",
       "Writes and improves documentation: READMEs, API references, guides and changelogs.",
       {"documentation", "docs", "writing", "readme", "guides"},
       kHaiku,
       40,
       all_files,
       {},
       TemplateLimits{},
       "You write documentation for busy readers. Read the code or material first so every statement is "
       "accurate. Lead with what the reader wants to do, show a working example, then explain options "
       "and edge cases. Use short sentences, consistent terms and headings that can be scanned. Never "
       "document behaviour you have not confirmed in the source."},
      {"ruby-scripter",
       "Ruby Scripter",
       "development",
       "Writes and runs Ruby scripts in the sandbox for text processing, automation and quick "
       "prototypes.",
       {"ruby", "scripting", "automation", "text processing", "prototype"},
       kSonnet,
       50,
       with(all_files, {"run"}),
       {"ruby"},
       limits(5'000'000'000, 60'000, 0),
       "You solve tasks by writing small Ruby scripts and running them with the ruby runtime. Save each "
       "script under /scripts, run it, and read its output before moving on. Prefer the standard library; "
       "no gems can be installed and there is no network. Handle malformed input explicitly and print "
       "clear errors."},
  };
}

std::vector<Template> build() {
  std::vector<Template> out;
  for (const Spec& s : specs()) {
    Template t;
    t.id = s.id;
    t.name = s.name;
    t.description = s.description;
    t.category = s.category;
    for (std::string_view tag : s.tags) t.tags.emplace_back(tag);
    t.model = s.model;
    t.instructions = std::string(s.instructions) + std::string(kSandboxNote);
    t.max_turns = s.max_turns;
    for (std::string_view tool : s.tools) t.tools.emplace_back(tool);
    for (std::string_view rt : s.runtimes) t.runtimes.emplace_back(rt);
    t.limits = s.limits;
    t.version = "1.0.0";
    t.custom = false;
    out.push_back(std::move(t));
  }
  return out;
}

constexpr TemplateAlias kAliases[] = {
    {"swarm", "orchestrator"},   {"coordinator", "orchestrator"}, {"auditor", "security"},
    {"analyst", "data-analyst"}, {"writer", "docs-writer"},       {"ruby", "ruby-scripter"},
};

}  // namespace

std::span<const Template> builtin_templates() {
  static const std::vector<Template> templates = build();
  return templates;
}

std::span<const TemplateAlias> builtin_aliases() { return kAliases; }

const Template* find_builtin(std::string_view id) {
  for (const Template& t : builtin_templates()) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::optional<std::string_view> resolve_alias(std::string_view id) {
  for (const TemplateAlias& a : kAliases) {
    if (a.alias == id) return a.target;
  }
  return std::nullopt;
}

}  // namespace wg::gallery
