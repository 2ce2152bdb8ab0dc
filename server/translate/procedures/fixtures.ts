// T-SQL written for the procedure suite (no third-party code): a small warehouse whose load
// procedures cover the patterns issue 5 names. Used by the execution and unit tests.

export const WAREHOUSE_TABLES = `
CREATE SCHEMA stg;
GO
CREATE TABLE dbo.RawCustomer (CustomerCode varchar(10) NULL, FullName nvarchar(100) NULL, City nvarchar(50) NULL, Balance decimal(10,2) NULL);
CREATE TABLE stg.Customer (CustomerCode varchar(10) NOT NULL PRIMARY KEY, FullName nvarchar(100) NOT NULL, City nvarchar(50) NULL, Balance decimal(10,2) NOT NULL);
CREATE TABLE dbo.DimCustomer (CustomerKey int IDENTITY(1,1) NOT NULL PRIMARY KEY, CustomerCode varchar(10) NOT NULL, FullName nvarchar(100) NOT NULL, City nvarchar(50) NULL);
CREATE TABLE dbo.SrcProduct (ProductCode varchar(10) NOT NULL PRIMARY KEY, Name nvarchar(50) NOT NULL, Price decimal(10,2) NOT NULL);
CREATE TABLE dbo.DimProduct (ProductKey int IDENTITY(1,1) NOT NULL PRIMARY KEY, ProductCode varchar(10) NOT NULL, Name nvarchar(50) NOT NULL, Price decimal(10,2) NOT NULL, ValidFrom date NOT NULL, ValidTo date NULL, IsCurrent bit NOT NULL);
CREATE TABLE dbo.ProductPrice (ProductCode varchar(10) NOT NULL PRIMARY KEY, Name nvarchar(50) NOT NULL, Price decimal(10,2) NOT NULL, FirstSeen date NOT NULL);
CREATE TABLE dbo.SrcOrder (OrderId int NOT NULL PRIMARY KEY, CustomerCode varchar(10) NULL, OrderDate datetime NOT NULL, Amount decimal(10,2) NULL);
CREATE TABLE dbo.FactSales (OrderId int NOT NULL PRIMARY KEY, CustomerKey int NULL, OrderDate datetime NOT NULL, Amount decimal(10,2) NOT NULL, AmountWithTax decimal(12,2) NULL);
CREATE TABLE dbo.CustomerSales (CustomerCode varchar(10) NOT NULL PRIMARY KEY, Orders int NOT NULL, Total decimal(12,2) NOT NULL, SalesRank int NOT NULL);
CREATE TABLE dbo.SalesNorth (Id int NOT NULL PRIMARY KEY, Amount decimal(10,2) NULL);
CREATE TABLE dbo.SalesSouth (Id int NOT NULL PRIMARY KEY, Amount decimal(10,2) NULL);
CREATE TABLE dbo.AllSales (Region varchar(10) NOT NULL, Id int NOT NULL, Amount decimal(10,2) NULL);
CREATE TABLE dbo.RunLog (RunId int IDENTITY(1,1) PRIMARY KEY, ProcName sysname NOT NULL, StartedAt datetime NOT NULL);
GO
`;

/** Staging load: TRUNCATE + INSERT ... SELECT with cleaning, inside TRY/CATCH and a transaction. */
export const PROC_STAGING = `
CREATE PROCEDURE stg.LoadCustomer AS
BEGIN
  SET NOCOUNT ON;
  BEGIN TRY
    BEGIN TRANSACTION;
    TRUNCATE TABLE stg.Customer;
    INSERT INTO stg.Customer (CustomerCode, FullName, City, Balance)
    SELECT UPPER(LTRIM(RTRIM(CustomerCode))), ISNULL(LTRIM(RTRIM(FullName)), N'(unknown)'), NULLIF(City, N''), ISNULL(Balance, 0)
    FROM dbo.RawCustomer
    WHERE CustomerCode IS NOT NULL;
    COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
END
GO
`;

/** Type-1 dimension: UPDATE ... FROM the staging table, then INSERT the new keys. */
export const PROC_SCD1 = `
CREATE PROCEDURE dbo.LoadDimCustomer AS
BEGIN
  UPDATE d SET d.FullName = s.FullName, d.City = s.City
  FROM dbo.DimCustomer d
  JOIN stg.Customer s ON s.CustomerCode = d.CustomerCode;

  INSERT INTO dbo.DimCustomer (CustomerCode, FullName, City)
  SELECT s.CustomerCode, s.FullName, s.City
  FROM stg.Customer s
  WHERE NOT EXISTS (SELECT 1 FROM dbo.DimCustomer d WHERE d.CustomerCode = s.CustomerCode);
END
GO
`;

/** Type-2 dimension: close changed current rows, insert new versions (as-of date is a parameter). */
export const PROC_SCD2 = `
CREATE PROCEDURE dbo.LoadDimProduct @AsOf date = '2024-01-01' AS
BEGIN
  UPDATE d SET d.ValidTo = @AsOf, d.IsCurrent = 0
  FROM dbo.DimProduct d
  JOIN dbo.SrcProduct s ON s.ProductCode = d.ProductCode
  WHERE d.IsCurrent = 1 AND (d.Name <> s.Name OR d.Price <> s.Price);

  INSERT INTO dbo.DimProduct (ProductCode, Name, Price, ValidFrom, ValidTo, IsCurrent)
  SELECT s.ProductCode, s.Name, s.Price, @AsOf, NULL, 1
  FROM dbo.SrcProduct s
  WHERE NOT EXISTS (SELECT 1 FROM dbo.DimProduct d WHERE d.ProductCode = s.ProductCode AND d.IsCurrent = 1);
END
GO
`;

/** MERGE upsert with a change test and a column only the INSERT branch sets. */
export const PROC_MERGE = `
CREATE PROCEDURE dbo.UpsertProductPrice @AsOf date = '2024-01-01' AS
BEGIN
  MERGE dbo.ProductPrice AS t
  USING (SELECT ProductCode, Name, Price FROM dbo.SrcProduct) AS s
  ON t.ProductCode = s.ProductCode
  WHEN MATCHED AND (t.Price <> s.Price OR t.Name <> s.Name) THEN
    UPDATE SET t.Price = s.Price, t.Name = s.Name
  WHEN NOT MATCHED THEN
    INSERT (ProductCode, Name, Price, FirstSeen) VALUES (s.ProductCode, s.Name, s.Price, @AsOf);
END
GO
`;

/** Fact load with a watermark read from the target, and a run log. */
export const PROC_FACT = `
CREATE PROCEDURE dbo.LoadFactSales AS
BEGIN
  DECLARE @wm datetime;
  INSERT INTO dbo.RunLog (ProcName, StartedAt) VALUES (OBJECT_NAME(@@PROCID), GETDATE());
  SELECT @wm = MAX(OrderDate) FROM dbo.FactSales;
  INSERT INTO dbo.FactSales (OrderId, CustomerKey, OrderDate, Amount, AmountWithTax)
  SELECT o.OrderId, d.CustomerKey, o.OrderDate, ISNULL(o.Amount, 0), ROUND(ISNULL(o.Amount, 0) * 1.2, 2)
  FROM dbo.SrcOrder o
  LEFT JOIN dbo.DimCustomer d ON d.CustomerCode = o.CustomerCode
  WHERE o.OrderDate > ISNULL(@wm, '19000101');
  PRINT 'fact loaded';
END
GO
`;

/** Temp-table chain: SELECT INTO #a, CREATE TABLE #b + INSERT, final rebuild. */
export const PROC_TEMP_CHAIN = `
CREATE PROCEDURE dbo.BuildCustomerSales AS
BEGIN
  IF OBJECT_ID('tempdb..#orders') IS NOT NULL DROP TABLE #orders;
  SELECT o.CustomerCode, o.Amount INTO #orders FROM dbo.SrcOrder o WHERE o.Amount IS NOT NULL AND o.CustomerCode IS NOT NULL;
  CREATE TABLE #totals (CustomerCode varchar(10), Orders int, Total decimal(12,2));
  INSERT INTO #totals (CustomerCode, Orders, Total)
  SELECT CustomerCode, COUNT(*), SUM(Amount) FROM #orders GROUP BY CustomerCode;
  TRUNCATE TABLE dbo.CustomerSales;
  INSERT INTO dbo.CustomerSales (CustomerCode, Orders, Total, SalesRank)
  SELECT CustomerCode, Orders, Total, RANK() OVER (ORDER BY Total DESC) FROM #totals;
  DROP TABLE #totals;
END
GO
`;

/** Dynamic SQL built from constants over a fixed list of tables (a table variable walked by a cursor). */
export const PROC_DYNAMIC = `
CREATE PROCEDURE dbo.LoadAllSales AS
BEGIN
  DECLARE @sql nvarchar(max), @table sysname, @region varchar(10);
  DECLARE @sources TABLE (TableName sysname NOT NULL, Region varchar(10) NOT NULL);
  INSERT INTO @sources (TableName, Region) VALUES (N'SalesNorth', 'North'), (N'SalesSouth', 'South');
  TRUNCATE TABLE dbo.AllSales;
  DECLARE tables_cursor CURSOR LOCAL FAST_FORWARD FOR SELECT TableName, Region FROM @sources;
  OPEN tables_cursor;
  FETCH NEXT FROM tables_cursor INTO @table, @region;
  WHILE @@FETCH_STATUS = 0
  BEGIN
    SET @sql = N'INSERT INTO dbo.AllSales (Region, Id, Amount) SELECT ''' + @region + N''', Id, Amount FROM dbo.' + QUOTENAME(@table) + N';';
    EXEC sp_executesql @sql;
    FETCH NEXT FROM tables_cursor INTO @table, @region;
  END
  CLOSE tables_cursor;
  DEALLOCATE tables_cursor;
END
GO
`;

/** Orchestration: runs the loads in order. */
export const PROC_ORCHESTRATION = `
CREATE PROCEDURE dbo.RunNightly AS
BEGIN
  EXEC stg.LoadCustomer;
  EXEC dbo.LoadDimCustomer;
  EXEC dbo.LoadFactSales;
END
GO
`;

export const WAREHOUSE = [WAREHOUSE_TABLES, PROC_STAGING, PROC_SCD1, PROC_SCD2, PROC_MERGE, PROC_FACT, PROC_TEMP_CHAIN, PROC_DYNAMIC, PROC_ORCHESTRATION].join("\n");

/** Parameterised branch: IF on a parameter picks the filter. */
export const BRANCH = `
CREATE TABLE dbo.SrcRegionOrder (OrderId int NOT NULL PRIMARY KEY, Region nvarchar(20) NOT NULL, Amount decimal(10,2) NULL);
CREATE TABLE dbo.RegionSales (Region nvarchar(20) NOT NULL, OrderId int NOT NULL, Amount decimal(10,2) NULL);
GO
CREATE PROCEDURE dbo.LoadRegionSales @Region nvarchar(20) = NULL AS
BEGIN
  TRUNCATE TABLE dbo.RegionSales;
  IF @Region IS NULL
    INSERT INTO dbo.RegionSales (Region, OrderId, Amount) SELECT Region, OrderId, Amount FROM dbo.SrcRegionOrder;
  ELSE
    INSERT INTO dbo.RegionSales (Region, OrderId, Amount) SELECT Region, OrderId, Amount FROM dbo.SrcRegionOrder WHERE Region = @Region;
END
GO
`;

/** Cursor running total (row by row). */
export const CURSOR = `
CREATE TABLE dbo.Txn (TxnId int NOT NULL PRIMARY KEY, Account int NOT NULL, Amount decimal(10,2) NOT NULL);
CREATE TABLE dbo.TxnBalance (TxnId int NOT NULL PRIMARY KEY, Account int NOT NULL, Balance decimal(12,2) NOT NULL);
GO
CREATE PROCEDURE dbo.LoadTxnBalance AS
BEGIN
  DECLARE @id int, @acct int, @amt decimal(10,2), @prev int = NULL, @bal decimal(12,2) = 0;
  TRUNCATE TABLE dbo.TxnBalance;
  DECLARE c CURSOR LOCAL FAST_FORWARD FOR SELECT TxnId, Account, Amount FROM dbo.Txn ORDER BY Account, TxnId;
  OPEN c;
  FETCH NEXT FROM c INTO @id, @acct, @amt;
  WHILE @@FETCH_STATUS = 0
  BEGIN
    IF @prev IS NULL OR @prev <> @acct SET @bal = 0;
    SET @bal = @bal + @amt;
    INSERT INTO dbo.TxnBalance (TxnId, Account, Balance) VALUES (@id, @acct, @bal);
    SET @prev = @acct;
    FETCH NEXT FROM c INTO @id, @acct, @amt;
  END
  CLOSE c;
  DEALLOCATE c;
END
GO
`;
