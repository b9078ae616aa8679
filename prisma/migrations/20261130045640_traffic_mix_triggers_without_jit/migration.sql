-- The traffic mix triggers run one grouping over the statement's transition tables, whose size the
-- planner cannot know, joined to traffic_mix_layout, which was never analyzed (one row, estimated
-- at hundreds): the estimate crossed jit_above_cost and every statement that inserted or re-priced
-- a few thousand events spent ~0.5 s compiling that grouping with LLVM (measured: 476 ms of a
-- 5,000-event re-pricing chunk's ~570 ms; 54 ms without JIT). Neither needs JIT.
ALTER FUNCTION traffic_mix_on_insert() SET jit = off;
ALTER FUNCTION traffic_mix_on_update() SET jit = off;
ANALYZE traffic_mix_layout;
