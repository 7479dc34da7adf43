// A small hand-drawn icon set (24px grid, 1.75 stroke) so nothing loads from a CDN.
import type { ReactNode, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 16, children, ...rest }: IconProps & { children: ReactNode }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

const make = (children: ReactNode) => (p: IconProps) => <Svg {...p}>{children}</Svg>;

export const IconIntegrations = make(
  <>
    <rect x="3" y="4" width="6" height="6" rx="1.5" />
    <rect x="15" y="14" width="6" height="6" rx="1.5" />
    <path d="M9 7h3a3 3 0 0 1 3 3v4" />
  </>,
);
export const IconDatabase = make(
  <>
    <ellipse cx="12" cy="5.5" rx="7" ry="2.5" />
    <path d="M5 5.5v13c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5v-13" />
    <path d="M5 12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5" />
  </>,
);
export const IconPlus = make(<path d="M12 5v14M5 12h14" />);
export const IconPlay = make(<path d="M7 5.5v13a1 1 0 0 0 1.5.86l10.5-6.5a1 1 0 0 0 0-1.72L8.5 4.64A1 1 0 0 0 7 5.5Z" />);
export const IconArrowRight = make(<path d="M5 12h14M13 6l6 6-6 6" />);
export const IconTrash = make(
  <>
    <path d="M4 7h16M10 11v6M14 11v6" />
    <path d="M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3" />
  </>,
);
export const IconUndo = make(<path d="M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11" />);
export const IconRedo = make(<path d="m15 14 5-5-5-5M20 9H9.5a5.5 5.5 0 0 0 0 11H13" />);
export const IconCheck = make(<path d="M5 12.5 10 17l9-10" />);
export const IconX = make(<path d="M6 6l12 12M18 6 6 18" />);
export const IconAlert = make(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7.5v5.5M12 16.5v.01" />
  </>,
);
export const IconClock = make(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </>,
);
export const IconFile = make(
  <>
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5M9 13h6M9 17h6" />
  </>,
);
export const IconUpload = make(<path d="M12 16V4M7 9l5-5 5 5M4 16v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />);
export const IconKey = make(
  <>
    <circle cx="8" cy="15" r="4" />
    <path d="m11 12 9-9M17 6l3 3M14 9l2 2" />
  </>,
);
export const IconSearch = make(
  <>
    <circle cx="11" cy="11" r="7" />
    <path d="m20 20-4-4" />
  </>,
);
export const IconChevronLeft = make(<path d="m15 18-6-6 6-6" />);
export const IconChevronRight = make(<path d="m9 18 6-6-6-6" />);
export const IconHistory = make(
  <>
    <path d="M3 12a9 9 0 1 0 3-6.7L3 8" />
    <path d="M3 3v5h5M12 7v5l3 2" />
  </>,
);
export const IconInbox = make(
  <>
    <path d="M4 13l2.5-8h11L20 13v6H4z" />
    <path d="M4 13h4.5l1 2.5h5l1-2.5H20" />
  </>,
);
export const IconFunnel = make(<path d="M4 5h16l-6 7.5V19l-4 2v-8.5z" />);
export const IconShuffle = make(
  <>
    <path d="M4 7h4l8 10h4M4 17h4l2.5-3M13.5 10 16 7h4" />
    <path d="m18 5 2 2-2 2M18 15l2 2-2 2" />
  </>,
);
export const IconTable = make(
  <>
    <rect x="3" y="4" width="18" height="16" rx="2" />
    <path d="M3 10h18M3 15h18M9 10v10" />
  </>,
);
/** Database table target: rows going into a table. */
export const IconTableIn = make(
  <>
    <rect x="9" y="4" width="12" height="16" rx="2" />
    <path d="M9 10h12M9 15h12M14 10v10" />
    <path d="M2.5 12H7M5 9.5 7.5 12 5 14.5" />
  </>,
);
export const IconSparkle = make(<path d="M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5 18 18M6 18l2.5-2.5M15.5 8.5 18 6" />);
/** Calculated field and formulas: an italic f(x). */
export const IconFunction = make(
  <>
    <path d="M13.5 4.5c-1.8-.6-3.3.2-3.7 2.2L7.6 18c-.4 2-1.9 2.8-3.6 2.2" />
    <path d="M6.5 10h6" />
    <path d="m14.5 11 5 6M19.5 11l-5 6" />
  </>,
);
/** A pinned sample row. */
export const IconPin = make(
  <>
    <path d="M9 4h6l-1 6 3 3v2H7v-2l3-3-1-6Z" />
    <path d="M12 15v5" />
  </>,
);
export const IconEye = make(
  <>
    <path d="M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12Z" />
    <circle cx="12" cy="12" r="2.75" />
  </>,
);
/** Value maps: one value becomes another. */
export const IconReplace = make(
  <>
    <rect x="3" y="4" width="7" height="6" rx="1.5" />
    <rect x="14" y="14" width="7" height="6" rx="1.5" />
    <path d="M6.5 13v2.5a2 2 0 0 0 2 2H11M17.5 11V8.5a2 2 0 0 0-2-2H13" />
  </>,
);
export const IconDot = make(<circle cx="12" cy="12" r="4" fill="currentColor" stroke="none" />);
export const IconSkip = make(<path d="M6 12h12M14 8l4 4-4 4" />);

export function Spinner({ size = 16 }: { size?: number }) {
  return (
    <svg className="spinner" width={size} height={size} viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.2" strokeWidth="2.5" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}

export function WeftMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path d="M7 11h18M7 16h18M7 21h18" stroke="#fff" strokeOpacity="0.35" strokeWidth="2.2" strokeLinecap="round" />
      <path d="M10.5 8v16M16 8v16M21.5 8v16" stroke="#fff" strokeWidth="2.2" strokeLinecap="round" strokeDasharray="3 2.5" />
    </svg>
  );
}
/** Connections: a plug. */
export const IconPlug = make(
  <>
    <path d="M9 3v5M15 3v5" />
    <path d="M6 8h12v3a6 6 0 0 1-12 0z" />
    <path d="M12 17v4" />
  </>,
);
export const IconCopy = make(
  <>
    <rect x="9" y="9" width="11" height="11" rx="2" />
    <path d="M5 15V6a2 2 0 0 1 2-2h8" />
  </>,
);
export const IconPencil = make(<path d="M4 20h4L19 9a2.8 2.8 0 0 0-4-4L4 16zM13.5 6.5l4 4" />);
/** A note on a mapped field: a page with a folded corner and two lines. */
export const IconNote = make(
  <>
    <path d="M5 4h10l4 4v12H5z" />
    <path d="M15 4v4h4M8.5 12h7M8.5 16h5" />
  </>,
);
/** Export: an arrow down onto a tray. */
export const IconDownload = make(<path d="M12 4v11M7.5 10.5 12 15l4.5-4.5M5 19h14" />);
