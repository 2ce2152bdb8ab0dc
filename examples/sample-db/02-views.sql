-- Views that depend on SQL Server behaviour a naive translation gets wrong.
CREATE VIEW Sales.vCustomerDirectory
AS
SELECT c.CustomerID,
       FullName = c.FirstName + N' ' + c.LastName,
       ISNULL(c.Email, 'no email') AS Email,
       LEN(c.LastName) AS LastNameLength,
       c.Region
FROM Sales.Customer AS c;
GO

CREATE VIEW Sales.vOrderTiming
AS
SELECT o.OrderID,
       o.CustomerID,
       DATEDIFF(day, o.OrderDate, o.ShippedDate) AS DaysToShip,
       DATEDIFF(month, o.OrderDate, o.ShippedDate) AS MonthBoundariesCrossed,
       CONVERT(varchar(10), o.OrderDate, 103) AS OrderDateUk,
       CONVERT(char(8), o.OrderDate, 112) AS OrderDateKey
FROM Sales.[Order] AS o;
GO

CREATE VIEW Sales.vTopCustomers
AS
SELECT TOP (3) d.CustomerID, d.FullName, SUM(l.Quantity * l.UnitPrice) AS Revenue
FROM Sales.vCustomerDirectory AS d
JOIN Sales.[Order] AS o ON o.CustomerID = d.CustomerID
JOIN Sales.OrderLine AS l ON l.OrderID = o.OrderID
WHERE o.Status <> 'cancelled'
GROUP BY d.CustomerID, d.FullName
ORDER BY Revenue DESC;
GO

CREATE VIEW Inventory.vActiveProducts
AS
SELECT p.ProductID, p.ProductName, p.Category, p.ListPrice
FROM Inventory.Product AS p
WHERE p.Discontinued = 0;
GO
