-- wrk script: the unfiltered list reached from a shared link, as a social network sends its
-- visitors: a campaign's `utm_` parameters and a click id that is new on every request.
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  counter = offset
  round = tonumber(args[1] or "0")
end

function request()
  counter = counter + 2 -- wrk -t2, as in varied_filters.lua
  local click = string.format("IwAR%d-%d", round, counter)
  return wrk.format("GET", "/programs/?utm_source=facebook&utm_medium=social&fbclid=" .. click)
end
