-- wrk script: a different filtered list on every request (a country, a role or none, and a
-- page), so that requests miss the page cache as real visitors' filter combinations mostly
-- do. The threads take turns through the same sequence of 2,484 addresses a round, more
-- than a round asks for even when every request is a miss, so no address is asked for twice.
local countries = {
  "AF", "AO", "AR", "BD", "BF", "BJ", "BO", "BR", "CD", "CI", "CM", "CO", "CU", "DO", "DZ",
  "EC", "EG", "ET", "FJ", "GH", "GN", "GT", "HN", "HT", "ID", "IN", "IQ", "JM", "JO", "KE",
  "KH", "LA", "LB", "LK", "LR", "MA", "MG", "ML", "MM", "MW", "MX", "MZ", "NE", "NG", "NI",
  "NP", "PE", "PG", "PH", "PK", "PS", "PY", "RW", "SD", "SL", "SN", "SO", "SV", "SY", "TD",
  "TG", "TZ", "UG", "VE", "VN", "YE", "ZA", "ZM", "ZW",
}
-- "" for no role: one filter alone, the commonest case.
local roles = {
  "", "surgeon", "nurse", "anaesthesiologist", "plastic-surgeon", "certified-surgeon",
  "certified-plastic-surgeon", "plastic-surgery-resident", "other",
}
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  counter = offset
  -- A benchmark round number after "--": each round asks for pages the others did not.
  round = tonumber(args[1] or "0")
end

function request()
  counter = counter + 2 -- wrk -t2; a larger -t repeats some addresses, which is harmless
  local country = countries[(counter % #countries) + 1]
  local rest = math.floor(counter / #countries)
  local role = roles[(rest % #roles) + 1]
  local page = round * 4 + math.floor(rest / #roles) % 4 + 1
  local path = "/programs/?country=" .. country
  if role ~= "" then
    path = path .. "&role=" .. role
  end
  return wrk.format("GET", path .. "&page=" .. page)
end
