-- memlens user commands. Nothing starts until vim.lsp.enable('memlens') or
-- require('memlens').setup{} is called. See :help memlens
if vim.g.loaded_memlens then
  return
end
vim.g.loaded_memlens = true

vim.api.nvim_create_user_command('MemlensRestart', function()
  require('memlens').restart()
end, { desc = 'memlens: restart the language server' })

vim.api.nvim_create_user_command('MemlensTarget', function(a)
  if a.args == '' then
    local c = require('memlens').clients()[1]
    local s = c and c.settings.memlens or (vim.lsp.config.memlens or {}).settings.memlens
    print('memlens target: ' .. (s and s.target or '?'))
  else
    require('memlens').set_target(a.args)
  end
end, {
  nargs = '?',
  desc = 'memlens: show or set the target (sizes and alignments)',
  complete = function(lead)
    return vim.tbl_filter(function(t)
      return vim.startswith(t, lead)
    end, require('memlens.config').targets)
  end,
})
