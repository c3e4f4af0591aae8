// Front door of dashboard/: the web page the daemon serves at /dashboard (SPEC §1).
export {
  dashboardCss,
  dashboardHtml,
  dashboardSecurityHeaders,
  loadDashboardScript,
} from './page.js';
