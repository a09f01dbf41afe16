-- Defaults of the memlens server settings, shared by lsp/memlens.lua and require('memlens').setup().
-- The table is what the server receives as `initializationOptions`, as the answer to
-- `workspace/configuration` (section "memlens") and in `workspace/didChangeConfiguration`
-- ({ settings = { memlens = ... } }): the same object the VS Code extension sends.
local M = {}

M.targets = {
  'x86_64-unknown-linux-gnu',
  'i686-unknown-linux-gnu',
  'aarch64-unknown-linux-gnu',
  'wasm32-unknown-unknown',
  'armv7-unknown-linux-gnueabihf',
}

--- A fresh copy of the default server settings.
---@return table
function M.defaults()
  return {
    target = 'x86_64-unknown-linux-gnu',
    inlayHints = { enable = true, minBytes = 0, heap = 'both' },
    diagnostics = { enable = true },
    thresholds = { stackArrayBytes = 16384, stackFrameBytes = 512000 },
  }
end

return M
