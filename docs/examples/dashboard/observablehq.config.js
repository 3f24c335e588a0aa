// Observable Framework configuration of the KAM review (docs/dashboard.md).  Everything the
// pages load is served from the build: no web fonts, no CDN, no telemetry.
export default {
  title: "KAM review",
  root: "src",
  output: "dist",
  pages: [
    {name: "Company retention", path: "/index"},
    {name: "Managers and teams", path: "/managers"},
    {name: "MRR waterfall", path: "/waterfall"},
    {name: "Cohorts", path: "/cohorts"},
    {name: "Key accounts", path: "/key-accounts"},
    {name: "Account health", path: "/health"},
    {name: "Renewals due", path: "/renewals"}
  ],
  globalStylesheets: [],
  // links end in .html: any static file server serves the build
  cleanUrls: false,
  search: false,
  footer: "kam: key-account management in PostgreSQL. Every number is one of kam's SQL queries (src/queries)."
};
