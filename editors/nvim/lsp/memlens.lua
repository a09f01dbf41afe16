-- memlens language server, for Neovim >= 0.11:  vim.lsp.enable('memlens')
-- (or require('memlens').setup{...}, which also sets the options below and turns on inlay hints).
-- Shows where every Rust value lives in memory: hover, inlay hints, diagnostics. It runs as a
-- second client next to rust-analyzer; it does not replace it. See :help memlens
local settings = require('memlens.config').defaults()

---@type vim.lsp.Config
return {
  cmd = { 'memlens', 'lsp' },
  filetypes = { 'rust' },
  root_markers = { 'Cargo.toml', '.git' },
  settings = { memlens = settings },
  init_options = vim.deepcopy(settings),
}
