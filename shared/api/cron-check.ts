// The deep cron check (croner), registered into shared/api/schedules.ts by importing this module: the API server
// (runtime/api/app.ts) and the schedule dialog do; the web app's first page does not (see registerCronCheck).
import { Cron } from 'croner';
import { registerCronCheck } from './schedules';

registerCronCheck((fields) => {
  try {
    new Cron(fields, { paused: true });
    return null;
  } catch (err) {
    return `Not a valid cron expression: ${(err instanceof Error ? err.message : String(err)).replace(/^CronPattern: /, '')}`;
  }
});
