// The shared view models: UI-neutral pure functions over the Lab API's plain data. The GUI and
// the TUI render these, so both show the same columns, names, colours roles and texts.
// See README.md in this folder.
export * from './i18n.ts';
export * from './format.ts';
export * from './state-roles.ts';
export * from './columns.ts';
export * from './netstat.ts';
export * from './filter.ts';
export * from './sort.ts';
export * from './listeners.ts';
export * from './gauges.ts';
export * from './timeline.ts';
export * from './ladder.ts';
export * from './timers.ts';
export * from './counters.ts';
export * from './knobs.ts';
export * from './trace.ts';
export * from './clock.ts';
export * from './lab-extras.ts';
export * from './time.ts';
export * from './plot.ts';
export * from './scenario.ts';
