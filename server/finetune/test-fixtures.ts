// Test and bench fixtures: a migration of a fictional payroll database with personal data in it.
// Written for DataMigrate (not from any corpus).
import type { Db } from "../db/client.ts";
import { createOrganizationWithAdmin } from "../db/queries/accounts.ts";
import { addMigrationModels, type NewMigrationModel } from "../db/queries/migration-models.ts";
import { createMigration } from "../db/queries/migrations.ts";
import { migrationModels } from "../db/schema/migrations.ts";
import { and, eq } from "drizzle-orm";

export const PAYROLL_VIEW_TSQL = `-- Payroll contacts, maintained by Jane Doe (HR)
CREATE VIEW [Payroll].[vEmployeeContacts]
AS
/* only active staff; see ticket HR-4411 */
SELECT e.EmployeeID,
       e.[FirstName] + N' ' + e.LastName AS FullName,
       e.EmailAddress,
       ISNULL(e.PhoneNumber, '+44 20 7946 0958') AS Phone,
       CAST(e.HireDate AS date) AS HireDay
FROM Payroll.EmployeeSalaries AS e
WHERE e.EmploymentStatus = 'Permanent Contract'
  AND e.EmailAddress <> 'margaret.thatcher@acmewidgets.co.uk'
  AND e.BankAccount <> '4111 1111 1111 1111'
  AND e.ManagerName <> 'Winston Churchill'
`;

export const PAYROLL_VIEW_DBT = `{{ config(materialized='view') }}
-- Payroll contacts (converted)
select e.employee_id,
       e.first_name || ' ' || e.last_name as full_name,
       e.email_address,
       coalesce(e.phone_number, '+44 20 7946 0958') as phone,
       cast(e.hire_date as date) as hire_day
from {{ source('payroll', 'employee_salaries') }} as e
where e.employment_status = 'Permanent Contract'
  and e.email_address <> 'margaret.thatcher@acmewidgets.co.uk'
  and e.bank_account <> '4111 1111 1111 1111'
  and e.manager_name <> 'Winston Churchill'
`;

export const PAYROLL_PROC_TSQL = `CREATE PROCEDURE Payroll.usp_RaiseSalaries @Department nvarchar(50), @Percent decimal(5,2)
AS
BEGIN
  SET NOCOUNT ON; -- quiet
  UPDATE Payroll.EmployeeSalaries SET AnnualSalary = AnnualSalary * (1 + @Percent / 100)
  WHERE DepartmentCode = @Department AND CostCentre = 'Northwind Logistics';
END
`;

export const PAYROLL_PROC_DBT = `{{ config(materialized='table') }}
select s.employee_id, s.annual_salary * (1 + {{ var('percent') }} / 100) as annual_salary
from {{ ref('stg_payroll__employee_salaries') }} as s
where s.department_code = '{{ var("department") }}' and s.cost_centre = 'Northwind Logistics'
`;

/** Every original name and literal of the fixtures that must never appear in an export. */
export const SECRET_IDENTIFIERS = [
  "Payroll", "vEmployeeContacts", "EmployeeID", "employee_id", "FirstName", "first_name", "LastName", "last_name",
  "FullName", "full_name", "EmailAddress", "email_address", "PhoneNumber", "phone_number", "HireDate", "hire_date",
  "HireDay", "hire_day", "EmployeeSalaries", "employee_salaries", "EmploymentStatus", "employment_status", "BankAccount",
  "bank_account", "ManagerName", "manager_name", "usp_RaiseSalaries", "Department", "Percent", "AnnualSalary",
  "annual_salary", "DepartmentCode", "department_code", "CostCentre", "cost_centre", "stg_payroll__employee_salaries",
];
export const SECRET_LITERALS = [
  "Jane Doe", "HR-4411", "+44 20 7946 0958", "7946", "Permanent Contract", "margaret.thatcher", "acmewidgets",
  "4111 1111 1111 1111", "Winston Churchill", "Northwind Logistics", "Northwind",
];

export async function seedOrg(db: Db, name = "Acme Widgets"): Promise<{ orgId: string; userId: string }> {
  const { organization, user } = await createOrganizationWithAdmin(db, {
    organizationName: name,
    email: `admin-${Math.random().toString(36).slice(2)}@example.com`,
    passwordHash: "x",
  });
  return { orgId: organization.id, userId: user.id };
}

export interface SeedModel extends NewMigrationModel {
  attempts?: number;
  tier?: string;
}

/** A completed migration with the given objects (grade, diagnostics, attempts as given). */
export async function seedMigration(db: Db, orgId: string, models: SeedModel[], name = "Payroll"): Promise<string> {
  const m = await createMigration(db, orgId, { userId: null, name, config: { target: "postgres" } });
  await addMigrationModels(
    db,
    orgId,
    m.id,
    models.map(({ attempts: _a, tier: _t, ...rest }) => rest),
  );
  for (const x of models) {
    if (x.attempts !== undefined || x.tier !== undefined) {
      await db
        .update(migrationModels)
        .set({ ...(x.attempts !== undefined ? { attempts: x.attempts } : {}), ...(x.tier !== undefined ? { tier: x.tier } : {}) })
        .where(and(eq(migrationModels.migrationId, m.id), eq(migrationModels.sourceName, x.sourceName)));
    }
  }
  return m.id;
}

export function payrollModels(): SeedModel[] {
  return [
    {
      sourceSchema: "Payroll",
      sourceName: "vEmployeeContacts",
      sourceKind: "view",
      sourceSql: PAYROLL_VIEW_TSQL,
      generatedSql: PAYROLL_VIEW_DBT,
      status: "converted",
      evidenceGrade: "verified_equal",
      diagnostics: [],
      tier: "SIMPLE",
    },
    {
      sourceSchema: "Payroll",
      sourceName: "usp_RaiseSalaries",
      sourceKind: "procedure",
      sourceSql: PAYROLL_PROC_TSQL,
      generatedSql: PAYROLL_PROC_DBT,
      status: "converted",
      evidenceGrade: "tests_passed",
      diagnostics: [{ code: "TR2001", severity: "error", message: "UPDATE of Payroll.EmployeeSalaries needs a model", file: "p.sql", line: 5 }],
      attempts: 1,
      tier: "MEDIUM",
    },
  ];
}
