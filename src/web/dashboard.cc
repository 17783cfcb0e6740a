#include "web/dashboard.h"

namespace wg::web {
namespace detail {
extern const std::string_view kDashboardHtml;  // dashboard_html.cc, generated from dashboard.html
}  // namespace detail

std::string_view dashboard_html() { return detail::kDashboardHtml; }

// Inline script and style only, fetch() to this origin only, no framing
// (the Approve buttons must not be clickjacked), no plugins, no forms
// posting elsewhere.
std::string_view dashboard_csp() {
  return "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
         "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

std::string_view server_version() { return WG_VERSION; }

}  // namespace wg::web
