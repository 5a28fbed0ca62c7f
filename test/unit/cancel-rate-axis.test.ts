/**
 * The cancel-rate chart's vertical axis (docs/http.md, the cancel-rate panel): it ends at the first round value
 * above the day's highest rate, with a little room for the bar's label, and never above 100 %: a rate cannot
 * exceed it.
 */
import { axisTop } from '../../src/http/pages/cancel-rate-chart.js';

describe("the cancel-rate chart's axis", () => {
  it.each([
    [0, 0.05],
    [0.05, 0.1], // twice the 2.5 % target: the chart's lowest highest-rate, so the target line has room above
    [0.09, 0.1],
    [0.1, 0.2], // exactly at a round value: the label needs the room above it
    [0.13, 0.2],
    [0.2, 0.25],
    [0.3, 0.5],
    [0.6, 0.75],
    [0.75, 1],
    [0.96, 1],
    [1, 1],
    [1.1, 1],
  ])('a highest rate of %p ends the axis at %p', (highest, top) => {
    expect(axisTop(highest)).toBe(top);
  });
});
