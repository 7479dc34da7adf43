// Version 31: members' email keys in canonical composed form (NFC), as shared/members/email.ts now makes them, so an
// address stored decomposed (e + U+0301) before is found by a lookup typed composed (é). A key whose composed form
// another member holds already stays as it was (the unique key would refuse it): both members and their emails are
// kept, and the Members page still lists both. Only on a UTF-8 database: normalize() needs it, and the keys are text.
import type { Migration } from './types';

export const memberEmailNfc: Migration = {
  version: 31,
  name: 'member-email-nfc',
  statements: [
    `DO $$
    BEGIN
      IF current_setting('server_encoding') = 'UTF8' THEN
        UPDATE members m SET email_key = normalize(m.email_key, NFC)
         WHERE m.email_key IS NOT NULL
           AND m.email_key IS NOT NFC NORMALIZED
           AND NOT EXISTS (SELECT 1 FROM members o WHERE o.id <> m.id AND normalize(o.email_key, NFC) = normalize(m.email_key, NFC) AND (o.email_key IS NFC NORMALIZED OR o.id < m.id));
      END IF;
    END $$`,
  ],
};
