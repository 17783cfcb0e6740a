// The dashboard's static assets, embedded in the binary.
//
// Contract: dashboard_html() is one self-contained HTML page (inline CSS and
// JavaScript, no external URLs) that reads the admin API (app/admin_api.h:
// /api/status, /api/approvals, /api/audit, /api/agents) with fetch() from
// the same origin, sends the bearer token the user enters (kept in
// sessionStorage) and renders every value with textContent, never as markup.
// dashboard_csp() is the Content-Security-Policy to serve it with.
// server_version() is the build's version (the project version in CMake).
// Thread-safety: constants.
#pragma once

#include <string_view>

namespace wg::web {

std::string_view dashboard_html();
std::string_view dashboard_csp();
std::string_view server_version();

}  // namespace wg::web
