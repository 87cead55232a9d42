-- wrk script: a different filtered list on every request (a country and a page in turn),
-- so that requests miss the page cache as real visitors' filter combinations mostly do.
-- The threads take turns through the same list, so no address is asked for twice.
local countries = {
  "AF", "AO", "AR", "BD", "BF", "BJ", "BO", "BR", "CD", "CI", "CM", "CO", "CU", "DO", "DZ",
  "EC", "EG", "ET", "FJ", "GH", "GN", "GT", "HN", "HT", "ID", "IN", "IQ", "JM", "JO", "KE",
  "KH", "LA", "LB", "LK", "LR", "MA", "MG", "ML", "MM", "MW", "MX", "MZ", "NE", "NG", "NI",
  "NP", "PE", "PG", "PH", "PK", "PS", "PY", "RW", "SD", "SL", "SN", "SO", "SV", "SY", "TD",
  "TG", "TZ", "UG", "VE", "VN", "YE", "ZA", "ZM", "ZW",
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
  local page = round * 4 + math.floor(counter / #countries) % 4 + 1
  return wrk.format("GET", "/programs/?country=" .. country .. "&page=" .. page)
end
