import { AppHeader } from './components/AppHeader';
import { Overview } from './pages/Overview';

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <main id="main" className="app-main" tabIndex={-1}>
        <Overview />
      </main>
    </>
  );
}
