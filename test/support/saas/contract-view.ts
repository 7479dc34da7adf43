// The contract suite speaks of objects whose fields are exactly the ones it made (id, name, amount...). A CRM adds its
// own to every record (HubSpot: hs_object_id, createdate, hs_lastmodifieddate; Salesforce: Id, SystemModstamp...)
// and may name custom fields its own way (Salesforce: `amount__c`). This view over a real connector hides the
// system's fields, renames the suite's fields to the system's and back, and reports the fixture's key as the primary
// key; every call still goes through the connector under test unchanged.
import type { Connector, ConnectorSession, DiscoveredObject, ReadBatch, Row } from '../../../runtime/connectors/types';

export interface ViewOptions {
  /** Fields the system adds to every record, hidden from what the suite reads and discovers. */
  systemFields: readonly string[];
  /** The suite's field name as the system names it (identity when absent). */
  toSystem?: (name: string) => string;
  fromSystem?: (name: string) => string;
  /** The key each object was made with (the fixture records it), reported as the object's primary key. */
  keyOf: (object: string) => string[];
}

export function contractView<C, S>(connector: Connector<C, S>, options: ViewOptions): Connector<C, S> {
  const hidden = new Set(options.systemFields);
  const out = options.fromSystem ?? ((n: string) => n);
  const into = options.toSystem ?? ((n: string) => n);
  const rowOut = (row: Row): Row => {
    const r = Object.create(null) as Row;
    for (const k of Object.keys(row)) if (!hidden.has(k)) r[out(k)] = row[k];
    return { ...r };
  };
  const rowIn = (row: Row): Row => {
    const r = Object.create(null) as Row;
    for (const k of Object.keys(row)) r[into(k)] = row[k];
    return r;
  };
  const objectOut = (o: DiscoveredObject): DiscoveredObject => ({
    ...o,
    fields: o.fields.filter((f) => !hidden.has(f.name)).map((f) => ({ ...f, name: out(f.name) })),
    primaryKey: options.keyOf(o.name),
    cursorFields: o.cursorFields.filter((n) => !hidden.has(n)).map(out),
  });
  return {
    manifest: connector.manifest,
    async open(config, secrets, context, openOptions) {
      const s = await connector.open(config, secrets, context, openOptions);
      const view: ConnectorSession = {
        test: () => s.test(),
        discover: async () => (await s.discover()).map(objectOut),
        read: (object, readOptions) =>
          (async function* (): AsyncGenerator<ReadBatch> {
            const incremental = readOptions.incremental && { ...readOptions.incremental, field: into(readOptions.incremental.field) };
            for await (const batch of s.read(object, { ...readOptions, ...(incremental && { incremental }) })) yield { ...batch, rows: batch.rows.map(rowOut) };
          })(),
        write: (object, rows, writeOptions) =>
          s.write(
            object,
            rows.map(rowIn),
            { ...writeOptions, key: writeOptions.key.map(into), fields: writeOptions.fields.map((f) => ({ ...f, name: into(f.name) })) },
          ),
        close: () => s.close(),
      };
      return view;
    },
  };
}
