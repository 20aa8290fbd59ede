// Print every instance of every VEVENT in an .ics, as Mozilla's ical.js computes it.
// Usage: node icaljs_instances.mjs FILE.ics  ->  JSON list of {uid, recurrence_id, start, end}
// Timed values are UTC ISO instants (2022-01-26T10:00:00Z); all-day values are dates.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const MAX_INSTANCES = 5000;

function stamp(time) {
  if (time.isDate) {
    return time.toString();
  }
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  if (vevent.hasProperty("recurrence-id")) {
    exceptions.push(vevent);
  } else {
    masters.set(vevent.getFirstPropertyValue("uid"), new ICAL.Event(vevent));
  }
}
for (const exception of exceptions) {
  const master = masters.get(exception.getFirstPropertyValue("uid"));
  if (master === undefined) {
    throw new Error("override without its series: " + exception.getFirstPropertyValue("uid"));
  }
  master.relateException(exception);
}
const out = [];
for (const [uid, event] of masters) {
  if (!event.isRecurring()) {
    out.push({ uid, recurrence_id: null, start: stamp(event.startDate), end: stamp(event.endDate) });
    continue;
  }
  const iterator = event.iterator();
  let next;
  let count = 0;
  while ((next = iterator.next())) {
    if (++count > MAX_INSTANCES) {
      throw new Error("unbounded series " + uid);
    }
    const details = event.getOccurrenceDetails(next);
    out.push({
      uid,
      recurrence_id: stamp(details.recurrenceId),
      start: stamp(details.startDate),
      end: stamp(details.endDate),
    });
  }
}
process.stdout.write(JSON.stringify(out));
