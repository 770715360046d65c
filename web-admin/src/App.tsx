import { Navigate, Route, Routes } from 'react-router';
import { RequireSession } from './auth/RequireSession';
import { OperatorLayout } from './layouts/OperatorLayout';
import { PortalLayout } from './layouts/PortalLayout';
import { PublicLayout } from './layouts/PublicLayout';
import { ConnectionPage } from './pages/connections/ConnectionPage';
import { DeliveryPage } from './pages/endpoints/DeliveryPage';
import { EndpointCreatePage } from './pages/endpoints/EndpointCreatePage';
import { EndpointPage } from './pages/endpoints/EndpointPage';
import { EndpointsPage } from './pages/endpoints/EndpointsPage';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { AuditLogPage } from './pages/AuditLogPage';
import { EventsPage } from './pages/EventsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFound } from './pages/NotFound';
import { Overview } from './pages/Overview';
import { PortalHome } from './pages/portal/PortalHome';
import { SetupRedeemPage } from './pages/SetupRedeemPage';
import { TenantPage } from './pages/tenants/TenantPage';
import { TenantsPage } from './pages/tenants/TenantsPage';

/** Every route of the admin app, relative to its base `/admin/`. */
export function App() {
  return (
    <Routes>
      <Route path="login" element={<LoginPage />} />
      <Route path="setup/:token?" element={<SetupRedeemPage />} />
      <Route element={<PublicLayout />}>
        <Route path="status" element={<Overview />} />
      </Route>
      <Route
        element={
          <RequireSession role="tenant_admin">
            <PortalLayout />
          </RequireSession>
        }
      >
        <Route path="portal" element={<PortalHome />} />
        <Route path="portal/connections/:id" element={<ConnectionPage variant="portal" />} />
      </Route>
      <Route
        element={
          <RequireSession role="operator">
            <OperatorLayout />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/tenants" replace />} />
        <Route path="tenants" element={<TenantsPage />} />
        <Route path="tenants/:id" element={<TenantPage />} />
        <Route path="connections/:id" element={<ConnectionPage variant="operator" />} />
        <Route path="endpoints" element={<EndpointsPage />} />
        <Route path="endpoints/new" element={<EndpointCreatePage />} />
        <Route path="endpoints/:id" element={<EndpointPage />} />
        <Route path="deliveries/:id" element={<DeliveryPage />} />
        <Route path="events" element={<EventsPage />} />
        <Route path="audit-log" element={<AuditLogPage />} />
        <Route path="api-keys" element={<ApiKeysPage />} />
      </Route>
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
