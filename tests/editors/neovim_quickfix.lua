-- Drive portlint-lsp from a real, headless Neovim: open the file, wait for portlint's
-- diagnostics, apply the PL401 quick fix the server offers, write the file, quit.
-- Reports one JSON line per step to $PORTLINT_REPORT; any failure exits with status 1.
local report = assert(io.open(vim.env.PORTLINT_REPORT, "w"))
local function say(step, data)
  data.step = step
  report:write(vim.fn.json_encode(data) .. "\n")
  report:flush()
end
local function fail(message)
  say("error", { message = message })
  report:close()
  vim.cmd("cquit 1")
end

local file = vim.env.PORTLINT_FILE
vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()

local client_id
if vim.lsp.config and vim.lsp.enable then
  -- Neovim 0.11+: the README's snippet, as a user pastes it into init.lua
  local snippet = assert(loadfile(vim.env.PORTLINT_SNIPPET))
  snippet()
  vim.cmd("doautocmd FileType")  -- the buffer was opened before the snippet ran
  vim.wait(20000, function() return #vim.lsp.get_clients({ bufnr = bufnr, name = "portlint" }) > 0 end, 20)
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = "portlint" })
  if #clients == 0 then return fail("the README's snippet did not start portlint-lsp for this buffer") end
  client_id = clients[1].id
else
  -- older Neovim: start and attach by hand
  client_id = vim.lsp.start_client({ name = "portlint", cmd = { "portlint-lsp" },
                                     root_dir = vim.fn.fnamemodify(file, ":h") })
  vim.lsp.buf_attach_client(bufnr, client_id)
end

local function portlint_diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "portlint" then table.insert(found, d) end
  end
  return found
end

if not vim.wait(30000, function() return #portlint_diagnostics() > 0 end, 20) then
  return fail("no diagnostics from portlint-lsp")
end
local client = vim.lsp.get_client_by_id(client_id)
local d = portlint_diagnostics()[1]
local lsp = (d.user_data or {}).lsp or {}
say("diagnostic", { code = d.code or lsp.code, lnum = d.lnum, col = d.col, end_col = d.end_col,
                    encoding = client.offset_encoding })

-- The quick fix, asked for the way `vim.lsp.buf.code_action()` asks for it.
local params = {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  range = { start = { line = d.lnum, character = 0 }, ["end"] = { line = d.lnum, character = 0 } },
  context = { diagnostics = { { range = { start = { line = d.lnum, character = 0 }, ["end"] = { line = d.lnum, character = 0 } },
                                message = d.message, source = "portlint", code = d.code or lsp.code, data = lsp.data } },
              only = { "quickfix" } },
}
local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 20000) or {}
local chosen
for _, response in pairs(responses) do
  for _, action in ipairs(response.result or {}) do
    if action.title:match("^Replace") then chosen = action end
  end
end
if not chosen then return fail("no quick fix offered") end
say("action", { title = chosen.title })
vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
vim.cmd("write")

-- After the edit the server re-lints: the finding is gone.
if not vim.wait(30000, function() return #portlint_diagnostics() == 0 end, 20) then
  return fail("the finding is still reported after the fix")
end
say("done", {})
report:close()
vim.cmd("qall!")
