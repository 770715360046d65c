export function AppHeader() {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <a className="brand" href={import.meta.env.BASE_URL}>
          <span className="brand__mark" aria-hidden="true">
            R
          </span>
          Roster
        </a>
        <nav aria-label="Main">
          <ul className="nav">
            <li>
              <a className="nav__link" href={import.meta.env.BASE_URL} aria-current="page">
                Overview
              </a>
            </li>
            <li>
              <a className="nav__link" href="/docs">
                API docs
              </a>
            </li>
            <li>
              <a className="nav__link" href="/openapi.json">
                OpenAPI
              </a>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
