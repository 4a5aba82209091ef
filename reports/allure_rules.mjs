// pgcutover's gate (reports/gate.py, `decide`) as Allure quality gate rules, so the HTML
// report's Quality Gates tab fails exactly when the gate says NO-GO. Thresholds come from
// reports.gate.quality_gate_rules; the messages are the gate's own reasons.
// Allure may validate in batches (sharing `state`) and again over all results (no state);
// `testResults` names the contracts a failed rule is about.

const add = (state, count, testResults = []) => {
  const total = (state.getResult() ?? 0) + count;
  state.setResult(total, testResults);
  return total;
};

const contracts = (count) => `${count} contract${count === 1 ? "" : "s"}`;

export const pgcutoverFailed = {
  rule: "pgcutoverFailed",
  message: ({ actual }) => `${contracts(actual)} failed or could not be checked`,
  successMessage: () => "no contract failed or broke",
  validate: async ({ trs, expected, state }) => {
    const bad = trs.filter((tr) => tr.status === "failed" || tr.status === "broken").map((tr) => tr.id);
    const actual = add(state, bad.length, bad);
    return { success: actual <= expected, actual, testResults: bad };
  },
};

export const pgcutoverExpected = {
  rule: "pgcutoverExpected",
  message: ({ actual, expected }) => {
    if (actual === 0) return "no contract ran";
    if (expected === null) return "the run did not record how many contracts to expect";
    return `partial run: ${actual} of ${contracts(expected)} executed`;
  },
  successMessage: ({ actual, expected }) => `${actual} of ${contracts(expected)} executed`,
  validate: async ({ trs, expected, state }) => {
    const actual = add(state, trs.length);
    return { success: expected !== null && actual > 0 && actual >= expected, actual, testResults: [] };
  },
};

export const pgcutoverPassed = {
  rule: "pgcutoverPassed",
  message: () => "no contract passed (all skipped)",
  successMessage: ({ actual }) => `${contracts(actual)} passed`,
  validate: async ({ trs, expected, state }) => {
    const actual = add(state, trs.filter((tr) => tr.status === "passed").length);
    return { success: actual >= expected, actual, testResults: [] };
  },
};

export const pgcutoverRules = [pgcutoverFailed, pgcutoverExpected, pgcutoverPassed];
