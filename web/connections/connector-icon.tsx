// A system's mark on connection cards and in the picker, from the manifest's short icon key.
import { IconDatabase, IconFile, IconPlug } from '../components/icons';

const TINTS: Record<string, { fg: string; bg: string }> = {
  postgres: { fg: '#336791', bg: '#e8f0f8' },
  postgresql: { fg: '#336791', bg: '#e8f0f8' },
  mysql: { fg: '#00758f', bg: '#e3f4f7' },
  mariadb: { fg: '#8a5a44', bg: '#f6ede8' },
};
/** SaaS systems: their brand colour on a plug (no third-party logos are shipped). */
const SAAS_TINTS: Record<string, { fg: string; bg: string }> = {
  hubspot: { fg: '#ff7a59', bg: '#fff1ec' },
  salesforce: { fg: '#00a1e0', bg: '#e5f6fd' },
};

export function ConnectorIcon({ icon, size = 36 }: { icon: string; size?: number }) {
  const tint = TINTS[icon] ?? SAAS_TINTS[icon];
  const glyph = icon === 'file' || icon === 'files' ? <IconFile size={size * 0.5} /> : TINTS[icon] ? <IconDatabase size={size * 0.5} /> : <IconPlug size={size * 0.5} />;
  return (
    <span className="connector-icon" style={{ width: size, height: size, color: tint?.fg, background: tint?.bg }} aria-hidden="true">
      {glyph}
    </span>
  );
}
