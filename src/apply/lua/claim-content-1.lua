--[[
  Claims a file's content (its SHA-256, per merchant) for a feed, for the duplicate check: the first feed with
  that content owns it, and a later submission of the same content is a duplicate of that feed — unless that
  feed died while its file was being validated (its submitter's lease expired before anything was enqueued),
  in which case the caller takes the content over from it.
  Input:
    KEYS[1] the content key
    ARGV[1] the feed claiming it   ARGV[2] the feed it may be taken from ("" for none)
  Output: ARGV[1] when the claim succeeded (the key was free, already ARGV[1]'s, or ARGV[2]'s), otherwise the
    feed that owns the content. Atomic: of two submissions taking over the same dead feed, one wins.
]]
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] and owner ~= ARGV[2] then return owner end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
