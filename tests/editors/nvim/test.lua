-- Headless Neovim (0.11) test of editors/nvim against a real memlens server.
--   nvim --clean --headless -l tests/editors/nvim/test.lua      (tests/editors/nvim/run.sh sets the env)
-- Env: MEMLENS_PLUGIN_DIR  the plugin (a copy of editors/nvim; :helptags is run in it)
--      MEMLENS_BIN         server executable (started as `MEMLENS_BIN lsp`)
--      MEMLENS_EXAMPLE     Rust file to open (copied into a throw-away cargo workspace)
--      MEMLENS_HOVER_FIND / MEMLENS_HOVER_COL  hover on the first line containing the text, at that column
--      MEMLENS_EXPECT_HOVER, MEMLENS_EXPECT_INLAY, MEMLENS_INLAY_FIND ('' = hint may be on any line)
--      RESULT_FILE         JSON results;  TEST_TIMEOUT_MS  per-step wait (default 15000)
-- Prints PASS/FAIL lines and "N passed, N failed"; exits 0 only when every check passed.
local timeout = tonumber(os.getenv('TEST_TIMEOUT_MS') or '') or 15000
local function env(k, d)
  local v = os.getenv(k)
  if v == nil then return d end
  return v
end
local plugin_dir = assert(os.getenv('MEMLENS_PLUGIN_DIR'), 'MEMLENS_PLUGIN_DIR')
local bin = assert(os.getenv('MEMLENS_BIN'), 'MEMLENS_BIN')
local example = assert(os.getenv('MEMLENS_EXAMPLE'), 'MEMLENS_EXAMPLE')
local hover_find = env('MEMLENS_HOVER_FIND', 'let s = String')
local hover_col = tonumber(env('MEMLENS_HOVER_COL', '4'))
local expect_hover = env('MEMLENS_EXPECT_HOVER', 'stack 24 B + heap 5 B')
local expect_inlay = env('MEMLENS_EXPECT_INLAY', 'stack 24B + heap 5B')
local inlay_find = env('MEMLENS_INLAY_FIND', hover_find)

local results, failures = { checks = {} }, 0
local function out(s) io.stdout:write(s .. '\n') end
local function has(s, sub) return type(s) == 'string' and s:find(sub, 1, true) ~= nil end
local function check(name, ok, detail)
  results.checks[#results.checks + 1] = { name = name, ok = ok and true or false, detail = detail }
  if not ok then failures = failures + 1 end
  local d = detail ~= nil and (': ' .. (type(detail) == 'string' and detail:gsub('\n', '\\n') or vim.inspect(detail, { newline = ' ', indent = '' }))) or ''
  if #d > 300 then d = d:sub(1, 300) .. '...' end
  out(string.format('%s %s%s', ok and 'PASS' or 'FAIL', name, d))
end
local function finish()
  results.failures = failures
  local rf = os.getenv('RESULT_FILE')
  if rf and rf ~= '' then
    local f = assert(io.open(rf, 'w'))
    f:write(vim.json.encode(results) .. '\n')
    f:close()
  end
  out(string.format('%d passed, %d failed', #results.checks - failures, failures))
  for _, c in ipairs(vim.lsp.get_clients()) do c:stop() end
  vim.wait(3000, function() return #vim.lsp.get_clients() == 0 end, 20)
  os.exit(failures == 0 and 0 or 1)
end
local function guard(fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then check('no Lua error', false, err) end
  finish()
end

local function hover_text(result)
  if not result or not result.contents then return nil end
  local c = result.contents
  if type(c) == 'string' then return c end
  if c.value then return c.value end
  local parts = {}
  for _, p in ipairs(c) do parts[#parts + 1] = type(p) == 'string' and p or p.value end
  return table.concat(parts, '\n')
end

-- A stand-in for rust-analyzer, in process: memlens must work as a second client beside it.
local function fake_rust_analyzer(dispatchers)
  local closing, id = false, 0
  return {
    request = function(method, _, callback)
      id = id + 1
      local res = vim.NIL
      if method == 'initialize' then
        res = { capabilities = { hoverProvider = true, textDocumentSync = 1 }, serverInfo = { name = 'fake-ra' } }
      elseif method == 'textDocument/hover' then
        res = { contents = { kind = 'markdown', value = 'fake-rust-analyzer hover' } }
      end
      vim.schedule(function() callback(nil, res) end)
      return true, id
    end,
    notify = function(method)
      if method == 'exit' then
        closing = true
        vim.schedule(function() dispatchers.on_exit(0, 0) end)
      end
      return true
    end,
    is_closing = function() return closing end,
    terminate = function() closing = true end,
  }
end

-- messages Neovim shows (e.g. a server's error answer) go on their own line and into the results
results.messages = {}
vim.notify = function(msg, level)
  results.messages[#results.messages + 1] = msg
  out(('MESSAGE [%s] %s'):format(level or vim.log.levels.INFO, tostring(msg):gsub('\n', '\\n')))
end

guard(function()
  -- 1. the plugin on 'runtimepath', as a plugin manager would put it
  vim.opt.rtp:prepend(plugin_dir)
  vim.cmd('runtime! plugin/memlens.lua')
  vim.cmd('filetype on')
  check('Neovim is 0.11+', vim.fn.has('nvim-0.11') == 1, tostring(vim.version()))

  -- 2. lsp/memlens.lua alone (vim.lsp.config resolves it from 'runtimepath')
  local base = vim.lsp.config.memlens
  check('lsp/memlens.lua: cmd, filetypes, root_markers',
    base and vim.deep_equal(base.cmd, { 'memlens', 'lsp' }) and vim.deep_equal(base.filetypes, { 'rust' })
      and vim.deep_equal(base.root_markers, { 'Cargo.toml', '.git' }),
    base and { cmd = base.cmd, filetypes = base.filetypes, root_markers = base.root_markers })
  check('lsp/memlens.lua: settings.memlens and init_options are the defaults',
    base and base.settings.memlens.target == 'x86_64-unknown-linux-gnu'
      and base.settings.memlens.thresholds.stackFrameBytes == 512000
      and vim.deep_equal(base.init_options, base.settings.memlens), base and base.init_options)

  -- 3. a cargo workspace with the example, rust-analyzer stand-in + memlens enabled
  local root = vim.fs.normalize(vim.fn.tempname())
  vim.fn.mkdir(root .. '/examples', 'p')
  vim.fn.writefile({ '[package]', 'name = "memlens-e2e"', 'version = "0.1.0"' }, root .. '/Cargo.toml')
  local file = root .. '/examples/where_data_lives.rs'
  vim.fn.writefile(vim.fn.readfile(example), file)
  vim.lsp.config('rust_analyzer', { cmd = fake_rust_analyzer, filetypes = { 'rust' }, root_markers = { 'Cargo.toml' } })
  vim.lsp.enable('rust_analyzer')
  require('memlens').setup({ cmd = bin, inlay_hints = true })
  check('setup(): cmd from a path string', vim.deep_equal(vim.lsp.config.memlens.cmd, { bin, 'lsp' }),
    vim.lsp.config.memlens.cmd)

  local exits = {}
  vim.lsp.config('memlens', { on_exit = function(code, signal) exits[#exits + 1] = { code = code, signal = signal } end })
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client
  local attached = vim.wait(timeout, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'memlens' })[1]
    return client ~= nil and client.initialized and #vim.lsp.get_clients({ bufnr = buf, name = 'rust_analyzer' }) == 1
  end, 20)
  check('memlens and rust-analyzer both attached to the buffer', attached, {
    clients = vim.tbl_map(function(c) return c.name end, vim.lsp.get_clients({ bufnr = buf })),
    memlens_exits = exits,
  })
  if not client then return end
  check('root_dir from root_markers', client.config.root_dir == root, client.config.root_dir)
  check('server info', client.server_info ~= nil, client.server_info)
  check('init_options sent = settings.memlens',
    vim.deep_equal(client.config.init_options, client.settings.memlens) and client.config.init_options.target == 'x86_64-unknown-linux-gnu',
    client.config.init_options)
  local cfg_answer = vim.lsp.handlers['workspace/configuration'](nil,
    { items = { { section = 'memlens' }, { section = 'memlens.inlayHints' } } }, { client_id = client.id })
  check('workspace/configuration answers section "memlens"',
    vim.deep_equal(cfg_answer[1], client.settings.memlens) and cfg_answer[2].enable == true, cfg_answer)

  -- 4. hover on `s` in `let s = String::from("world");`
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local lnum, col
  for i, l in ipairs(lines) do
    local c = l:find(hover_find, 1, true)
    if c then lnum, col = i - 1, c - 1 + hover_col break end
  end
  check('hover position found', lnum ~= nil, lnum and { line = lnum, character = col, text = lines[lnum + 1] } or hover_find)
  if not lnum then return end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = lnum, character = col } }
  local resp = client:request_sync('textDocument/hover', params, timeout, buf)
  local md = resp and hover_text(resp.result)
  results.hover = md
  check(('hover request: "%s"'):format(expect_hover), has(md, expect_hover), md or (resp and resp.err) or 'no response')

  vim.api.nvim_win_set_cursor(0, { lnum + 1, col })
  vim.lsp.buf.hover()
  local float
  vim.wait(timeout, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        local text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n')
        float = text
        if has(text, expect_hover) and has(text, 'fake-rust-analyzer') then return true end
      end
    end
    return false
  end, 20)
  results.hover_float = float
  check('hover window (K) shows memlens beside rust-analyzer', has(float, expect_hover) and has(float, 'fake-rust-analyzer'), float)
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then vim.api.nvim_win_close(w, true) end
  end

  -- 5. inlay hints: setup() turned them on; Neovim requests them, then draws them on redraw
  check('inlay hints enabled on attach', vim.lsp.inlay_hint.is_enabled({ bufnr = buf }))
  local labels = {}
  local function collect()
    labels = {}
    for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
      if h.client_id == client.id then
        local l = h.inlay_hint.label
        if type(l) == 'table' then l = table.concat(vim.tbl_map(function(p) return p.value end, l)) end
        labels[#labels + 1] = { label = l, line = h.inlay_hint.position.line }
      end
    end
    return labels
  end
  local want_line = nil
  if inlay_find ~= '' then
    for i, l in ipairs(lines) do
      if l:find(inlay_find, 1, true) then want_line = i - 1 break end
    end
  end
  local function on_line(line) return want_line == nil or line == want_line end
  vim.wait(timeout, function()
    for _, h in ipairs(collect()) do
      if has(h.label, expect_inlay) and on_line(h.line) then return true end
    end
    return false
  end, 50)
  results.inlay_hints = labels
  local found
  for _, h in ipairs(labels) do
    if has(h.label, expect_inlay) and on_line(h.line) then found = h end
  end
  check(('inlay hint "%s"%s'):format(expect_inlay, want_line and (' on line ' .. want_line) or ''), found ~= nil,
    found or labels)

  local virt
  vim.wait(timeout, function()
    vim.cmd('redraw!')
    local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inlayhint']
    virt = {}
    for _, m in ipairs(ns and vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true }) or {}) do
      local text = table.concat(vim.tbl_map(function(c) return c[1] end, m[4].virt_text or {}))
      virt[#virt + 1] = { line = m[2], text = text }
      if has(text, expect_inlay) and on_line(m[2]) then return true end
    end
    return false
  end, 50)
  results.virtual_text = virt
  local drawn
  for _, v in ipairs(virt) do
    if has(v.text, expect_inlay) and on_line(v.line) then drawn = v end
  end
  check('inlay hint drawn as virtual text', drawn ~= nil, drawn or virt)

  -- 6. :MemlensTarget sends didChangeConfiguration; :MemlensRestart restarts; hover again
  local sent = {}
  local orig_notify = client.notify
  client.notify = function(self, method, p)
    sent[#sent + 1] = { method = method, params = p }
    return orig_notify(self, method, p)
  end
  vim.cmd('MemlensTarget i686-unknown-linux-gnu')
  local dcc = vim.tbl_filter(function(m) return m.method == 'workspace/didChangeConfiguration' end, sent)[1]
  check(':MemlensTarget sends didChangeConfiguration',
    dcc ~= nil and dcc.params.settings.memlens.target == 'i686-unknown-linux-gnu'
      and dcc.params.settings.memlens.inlayHints.enable == true, dcc and dcc.params)
  client.notify = orig_notify
  local r686 = client:request_sync('textDocument/hover', params, timeout, buf)
  results.hover_i686 = r686 and hover_text(r686.result) -- recorded only
  vim.cmd('MemlensTarget x86_64-unknown-linux-gnu')
  vim.wait(500) -- let the server's inlay hint refresh settle before the restart

  local old_id = client.id
  vim.cmd('MemlensRestart')
  local new
  vim.wait(timeout, function()
    new = vim.lsp.get_clients({ bufnr = buf, name = 'memlens' })[1]
    return new ~= nil and new.id ~= old_id and new.initialized
  end, 20)
  local md2
  if new and new.id ~= old_id then
    local r2 = new:request_sync('textDocument/hover', params, timeout, buf)
    md2 = r2 and hover_text(r2.result)
  end
  check(':MemlensRestart: a new client that answers hover', has(md2, expect_hover),
    { old = old_id, new = new and new.id, hover = md2 })
  check('new client keeps the target set before', new ~= nil and new.config.init_options.target == 'x86_64-unknown-linux-gnu',
    new and new.config.init_options.target)
  check('rust-analyzer untouched', #vim.lsp.get_clients({ bufnr = buf, name = 'rust_analyzer' }) == 1)

  -- 7. :help memlens (helptags of the plugin's doc/)
  vim.cmd('helptags ' .. vim.fn.fnameescape(plugin_dir .. '/doc'))
  local ok_help, err = pcall(vim.cmd, 'help memlens')
  local help_name = ok_help and vim.fn.expand('%:t') or err
  check(':help memlens opens memlens.txt', ok_help and help_name == 'memlens.txt', help_name)
  local missing = {}
  for _, tag in ipairs({ 'memlens.setup()', ':MemlensRestart', ':MemlensTarget', 'memlens-options', 'memlens-rust-analyzer' }) do
    if not pcall(vim.cmd, 'help ' .. vim.fn.escape(tag, ' ')) then missing[#missing + 1] = tag end
  end
  check('help tags resolve', #missing == 0, #missing == 0 and 'all' or missing)
end)
