-- memlens for Neovim >= 0.11: configures and enables the `memlens` LSP client (lsp/memlens.lua)
-- and turns on inlay hints in the buffers it attaches to.
--
--   require('memlens').setup {
--     cmd = { 'memlens', 'lsp' },          -- or a path: '/path/to/memlens' (started with `lsp`)
--     target = 'x86_64-unknown-linux-gnu',
--     inlay_hints = true,                  -- or { enable = true, min_bytes = 0 }
--     diagnostics = true,
--     thresholds = { stack_array_bytes = 16384, stack_frame_bytes = 512000 },
--   }
local config = require('memlens.config')

local M = {}

M.name = 'memlens'

---@class memlens.Opts
---@field cmd? string|string[]|fun(dispatchers: vim.lsp.rpc.Dispatchers): vim.lsp.rpc.PublicClient
---@field target? string
---@field inlay_hints? boolean|{ enable?: boolean, min_bytes?: integer }
---@field diagnostics? boolean
---@field thresholds? { stack_array_bytes?: integer, stack_frame_bytes?: integer }
---@field settings? table  raw server settings (camelCase), merged over the ones above
---@field filetypes? string[]
---@field root_markers? string[]
---@field on_attach? fun(client: vim.lsp.Client, bufnr: integer)
---@field capabilities? table
---@field enable? boolean  call vim.lsp.enable('memlens') (default true)

M.opts = { show_inlay_hints = true }

--- Server settings from setup() options.
---@param opts memlens.Opts
---@return table
local function server_settings(opts)
  local s = config.defaults()
  if opts.target ~= nil then
    s.target = opts.target
  end
  local ih = opts.inlay_hints
  if type(ih) == 'boolean' then
    s.inlayHints.enable = ih
  elseif type(ih) == 'table' then
    if ih.enable ~= nil then
      s.inlayHints.enable = ih.enable
    end
    if ih.min_bytes ~= nil then
      s.inlayHints.minBytes = ih.min_bytes
    end
    if ih.heap ~= nil then
      s.inlayHints.heap = ih.heap
    end
  end
  if opts.diagnostics ~= nil then
    s.diagnostics.enable = opts.diagnostics
  end
  local th = opts.thresholds or {}
  if th.stack_array_bytes ~= nil then
    s.thresholds.stackArrayBytes = th.stack_array_bytes
  end
  if th.stack_frame_bytes ~= nil then
    s.thresholds.stackFrameBytes = th.stack_frame_bytes
  end
  return vim.tbl_deep_extend('force', s, opts.settings or {})
end

---@param opts? memlens.Opts
function M.setup(opts)
  opts = opts or {}
  vim.validate('opts.target', opts.target, function(t)
    return t == nil or vim.list_contains(config.targets, t)
  end, 'one of ' .. table.concat(config.targets, ', '))
  local settings = server_settings(opts)
  local cfg = {
    settings = { memlens = settings },
    init_options = vim.deepcopy(settings),
  }
  if type(opts.cmd) == 'string' then
    cfg.cmd = { opts.cmd, 'lsp' }
  elseif opts.cmd ~= nil then
    cfg.cmd = opts.cmd
  end
  cfg.filetypes = opts.filetypes
  cfg.root_markers = opts.root_markers
  cfg.on_attach = opts.on_attach
  cfg.capabilities = opts.capabilities
  vim.lsp.config(M.name, cfg)

  M.opts.show_inlay_hints = settings.inlayHints.enable
  local group = vim.api.nvim_create_augroup('memlens', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    desc = 'memlens: inlay hints',
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == M.name and M.opts.show_inlay_hints
        and client:supports_method('textDocument/inlayHint', args.buf) then
        vim.lsp.inlay_hint.enable(true, { bufnr = args.buf })
      end
    end,
  })
  if opts.enable ~= false then
    vim.lsp.enable(M.name)
  end
end

---@return vim.lsp.Client[]
function M.clients()
  return vim.lsp.get_clients({ name = M.name })
end

--- Change server settings at run time: updates the config used for new clients and sends
--- workspace/didChangeConfiguration to the running ones.
---@param changes table  camelCase server settings, e.g. { target = 'wasm32-unknown-unknown' }
function M.update_settings(changes)
  local base = (vim.lsp.config[M.name] or {}).settings or {}
  local settings = vim.tbl_deep_extend('force', base.memlens or config.defaults(), changes)
  vim.lsp.config(M.name, { settings = { memlens = settings }, init_options = vim.deepcopy(settings) })
  for _, client in ipairs(M.clients()) do
    client.settings = vim.tbl_deep_extend('force', client.settings or {}, { memlens = changes })
    client:notify('workspace/didChangeConfiguration', { settings = { memlens = client.settings.memlens } })
  end
end

---@param target string
function M.set_target(target)
  if not vim.list_contains(config.targets, target) then
    vim.notify('memlens: unknown target ' .. target .. ' (one of: ' .. table.concat(config.targets, ', ') .. ')',
      vim.log.levels.ERROR)
    return
  end
  M.update_settings({ target = target })
end

--- Stop the memlens clients and start them again on the buffers they were attached to (and on
--- the other loaded buffers of its filetypes, so that it also brings back a server that crashed).
--- Returns at once; the new client starts once the old one has exited.
---@param on_done? fun()  called after the new clients were asked to start
function M.restart(on_done)
  local bufs = {}
  for _, client in ipairs(M.clients()) do
    for buf in pairs(client.attached_buffers) do
      bufs[buf] = true
    end
    client:stop()
  end
  local filetypes = (vim.lsp.config[M.name] or {}).filetypes or { 'rust' }
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.list_contains(filetypes, vim.bo[buf].filetype) then
      bufs[buf] = true
    end
  end
  local waited, step = 0, 50
  local function start()
    for buf in pairs(bufs) do
      if vim.api.nvim_buf_is_valid(buf) then
        -- vim.lsp.enable's FileType handler resolves root_dir and starts (or reuses) the client
        vim.api.nvim_exec_autocmds('FileType', { group = 'nvim.lsp.enable', buffer = buf })
      end
    end
    if on_done then
      on_done()
    end
  end
  local function poll()
    if #M.clients() == 0 or waited >= 5000 then
      return start()
    end
    if waited == 3000 then
      for _, client in ipairs(M.clients()) do
        client:stop(true) -- did not exit after shutdown/exit: kill it
      end
    end
    waited = waited + step
    vim.defer_fn(poll, step)
  end
  poll()
end

return M
