export function Logo() {
  return (
    <span class="logo">
      <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
        <path d="M3 1v14M3 2h9l-2 3 2 3H3" fill="currentColor" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
      </svg>
      edgeflags
    </span>
  );
}
