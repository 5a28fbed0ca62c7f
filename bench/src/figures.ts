/**
 * The figures the team's goals are stated in, with their verdicts. Throughput goals are ratios against a
 * baseline measured in the same run (absolute numbers drift by up to 25% on this VM);
 * memory and time goals are absolute limits.
 */
import type { ProbeOutcome } from './probes.js';
import { median } from './stats.js';

export type Goal =
  { kind: 'ratio'; atLeast: number | null; aim: number | null } | { kind: 'limit'; atMost: number } | { kind: 'none' };

export interface Figure {
  /** Stable key for the JSON output. */
  id: string;
  figure: string;
  value: number | null;
  unit: string;
  baseline: { label: string; value: number | null; unit: string } | null;
  ratio: number | null;
  goal: Goal;
  verdict: string;
  /** True only when a stated goal (not an aim) is missed or the figure could not be measured. */
  failed: boolean;
  error: string | null;
}

/** A throughput against a baseline of the same run; with goal `none` the ratio is measured for the record. */
export function ratioFigure(
  id: string,
  figure: string,
  subject: ProbeOutcome,
  baseline: ProbeOutcome,
  goal: Goal & { kind: 'ratio' | 'none' },
): Figure {
  const ratio =
    subject.value !== null && baseline.value !== null
      ? Math.round((subject.value / baseline.value) * 1000) / 1000
      : null;
  const error = subject.error ?? baseline.error;
  const { verdict, failed } =
    error !== null || ratio === null
      ? unmeasured()
      : goal.kind === 'none'
        ? pass('measured')
        : ratioVerdict(ratio, goal);
  return {
    id,
    figure,
    value: subject.value,
    unit: subject.probe.unit,
    baseline: { label: baseline.probe.label, value: baseline.value, unit: baseline.probe.unit },
    ratio,
    goal,
    verdict,
    failed,
    error,
  };
}

export function limitFigure(
  id: string,
  figure: string,
  value: number | null,
  unit: string,
  atMost: number,
  error: string | null,
): Figure {
  const goal: Goal = { kind: 'limit', atMost };
  const { verdict, failed } = error !== null || value === null ? unmeasured() : value <= atMost ? pass('pass') : fail();
  return { id, figure, value, unit, baseline: null, ratio: null, goal, verdict, failed, error };
}

/** A figure measured for the record, with no goal stated for it (e.g. the 1-message latency). */
export function noteFigure(id: string, figure: string, outcome: ProbeOutcome): Figure {
  const failed = outcome.error !== null || outcome.value === null;
  const goal: Goal = { kind: 'none' };
  return {
    id,
    figure,
    value: outcome.value,
    unit: outcome.probe.unit,
    baseline: null,
    ratio: null,
    goal,
    verdict: failed ? 'ERROR' : 'measured',
    failed,
    error: outcome.error,
  };
}

/** A figure with no goal read from another RESULT field of a probe's runs (their median). */
export function fieldFigure(id: string, figure: string, outcome: ProbeOutcome, field: string, unit: string): Figure {
  const values = outcome.runs.map((run) => run.result[field]).filter((v): v is number => typeof v === 'number');
  const value =
    outcome.error === null && values.length === outcome.runs.length && values.length > 0 ? median(values) : null;
  const failed = value === null;
  return {
    id,
    figure,
    value,
    unit,
    baseline: null,
    ratio: null,
    goal: { kind: 'none' },
    verdict: failed ? 'ERROR' : 'measured',
    failed,
    error: outcome.error,
  };
}

/** A figure that was not measured in this run (e.g. skipped by --quick): no verdict, not a failure. */
export function skippedFigure(id: string, figure: string, unit: string, atMost: number, why: string): Figure {
  return {
    id,
    figure,
    value: null,
    unit,
    baseline: null,
    ratio: null,
    goal: { kind: 'limit', atMost },
    verdict: `skipped (${why})`,
    failed: false,
    error: null,
  };
}

function ratioVerdict(
  ratio: number,
  goal: { atLeast: number | null; aim: number | null },
): { verdict: string; failed: boolean } {
  if (goal.atLeast !== null && ratio < goal.atLeast) return fail();
  if (goal.aim === null) return pass('pass');
  const aimMet = ratio >= goal.aim;
  if (goal.atLeast === null) return pass(aimMet ? 'aim met' : 'below aim');
  return pass(aimMet ? 'pass, aim met' : 'pass, below aim');
}

function pass(verdict: string): { verdict: string; failed: boolean } {
  return { verdict, failed: false };
}

function fail(): { verdict: string; failed: boolean } {
  return { verdict: 'FAIL', failed: true };
}

function unmeasured(): { verdict: string; failed: boolean } {
  return { verdict: 'ERROR', failed: true };
}

export function describeGoal(goal: Goal, unit: string): string {
  if (goal.kind === 'none') return '';
  if (goal.kind === 'limit') return `<= ${goal.atMost} ${unit}`;
  const aim = goal.aim === null ? '' : `aim >= ${goal.aim}x`;
  if (goal.atLeast === null) return aim;
  return aim ? `>= ${goal.atLeast}x (${aim})` : `>= ${goal.atLeast}x`;
}
