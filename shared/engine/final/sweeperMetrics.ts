/**
 * The names the final-results sweeper publishes its metrics under, shared by the function
 * (shared/engine/handler/finalSweeperHandler) and the alarms on them (infra), so that a
 * rename in one cannot silently leave an alarm on a metric nobody publishes.
 */

/** The sweeper's Powertools service name: the `service` dimension of its metrics. */
export const SWEEPER_SERVICE_NAME = 'final-results-sweeper';
/** Per pipeline, milliseconds: see `oldestOverdueMs`. */
export const OVERDUE_METRIC = 'OldestOpenWindowOverdueMs';
/** Per pipeline and run, count: final results the sweeper sent (copies of a crashed pass included). */
export const SWEPT_METRIC = 'FinalResultsSwept';
